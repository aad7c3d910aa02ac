package configs

import (
	"crypto/sha256"
	"fmt"
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
//
// Whatever the token, the admin API answers 403 to what a web page could
// send it from a browser on the same machine: a request whose Origin is
// not the admin listener's own, a state-changing request (POST, PUT,
// PATCH, DELETE) whose Content-Type is not application/json, and a
// request whose Host is neither the listener's address (by IP, or
// localhost when it is on loopback) nor one of AllowedHosts, which
// defeats DNS rebinding.
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
	// AllowedHosts are the further names the admin API answers to in the
	// Host header, as host or host:port (a host alone allows any port):
	// the names operators and scrapers reach it by, such as a Kubernetes
	// Service's. Default none: only the listener's own address, an IP
	// address when it binds every interface, and localhost when it is on
	// loopback.
	AllowedHosts []string `yaml:"allowed_hosts"`
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

// admin checks the admin token's source, and that an admin listener at
// addr that other machines can reach has a token (a malformed address is
// reported by listen).
func (c *checker) admin(a Admin, addr string) {
	var set []string
	for _, s := range []struct{ name, value string }{
		{"token_sha256", a.TokenSHA256}, {"token_sha256_file", a.TokenSHA256File}, {"token_sha256_env", a.TokenSHA256Env},
	} {
		if s.value != "" {
			set = append(set, s.name)
		}
	}
	if len(set) > 1 {
		c.addf("admin", "at most one of token_sha256, token_sha256_file and token_sha256_env may be set, got %d (%s)",
			len(set), strings.Join(set, ", "))
	}
	if a.TokenSHA256 != "" {
		c.keyHash("admin.token_sha256", a.TokenSHA256)
	}
	for i, h := range a.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/ \t@") {
			c.addf(fmt.Sprintf("admin.allowed_hosts[%d]", i), "%q is not a host or host:port", h)
		}
	}
	if _, err := splitPort(addr); err == nil && !a.HasToken() && !isLoopback(addr) {
		c.addf("listen.admin", "%q is reachable from other machines, so the admin API needs a token: "+
			"set admin.token_sha256, token_sha256_file or token_sha256_env (`sluice hash-key` prints the hash), "+
			"or listen on 127.0.0.1", addr)
	}
}
