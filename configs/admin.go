package configs

import (
	"crypto/sha256"
	"net"
	"strings"
)

// Admin secures the admin listener (listen.admin), which serves the
// operator's API: admission, pins, plans, metrics. It binds to loopback
// unless its address names another host; then a token is required.
//
// The token is known only by its SHA-256 (64 hex digits, as `sluice
// hash-key` prints it), like an API key: at most one of TokenSHA256,
// TokenSHA256File and TokenSHA256Env gives it, and Config.AdminTokenHash
// reads it. With a token, every admin request but GET /healthz must send
// "Authorization: Bearer TOKEN"; without one, the admin API is open to
// whoever can reach its (loopback) address.
type Admin struct {
	// TokenSHA256 is the token's SHA-256 in hex.
	TokenSHA256 string `yaml:"token_sha256"`
	// TokenSHA256File names a file whose first word is the token's
	// SHA-256 in hex; a relative path is read from the directory of the
	// configuration file.
	TokenSHA256File string `yaml:"token_sha256_file"`
	// TokenSHA256Env names an environment variable holding the token's
	// SHA-256 in hex.
	TokenSHA256Env string `yaml:"token_sha256_env"`
}

// HasToken reports whether a token is configured.
func (a Admin) HasToken() bool {
	return a.TokenSHA256 != "" || a.TokenSHA256File != "" || a.TokenSHA256Env != ""
}

// AdminTokenHash returns the SHA-256 of the admin token, reading
// token_sha256_env or token_sha256_file through s; ok is false when no
// token is configured. Like KeyHashes, it checks that the secret exists
// and holds 64 hex digits, and reports problems as Errors (matching
// ErrInvalid) that never quote the secret.
//
// pre: c passed validation.
func (c *Config) AdminTokenHash(s Secrets) (h [sha256.Size]byte, ok bool, err error) {
	a := c.Admin
	if !a.HasToken() {
		return h, false, nil
	}
	k := APIKey{SHA256: a.TokenSHA256, SHA256File: a.TokenSHA256File, SHA256Env: a.TokenSHA256Env}
	field, h, err := c.keyHash(k, s.withDefaults())
	if err != nil {
		return h, false, Errors{{File: c.File, Field: "admin.token_" + field, Msg: err.Error()}}
	}
	return h, true, nil
}

// isLoopback reports whether a host:port address binds only a loopback
// interface: localhost, 127.0.0.0/8 or ::1. An empty host binds every
// interface; other names are not resolved and count as reachable.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
