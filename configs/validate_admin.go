package configs

import "strings"

// admin checks the admin token's source, and that an admin listener other
// machines can reach has a token (a malformed address is reported by
// listen).
func (c *checker) admin(cfg *Config) {
	a := cfg.Admin
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
	addr := cfg.Listen.Admin
	if _, err := splitPort(addr); err == nil && !a.HasToken() && !isLoopback(addr) {
		c.addf("listen.admin", "%q is reachable from other machines, so the admin API needs a token: "+
			"set admin.token_sha256, token_sha256_file or token_sha256_env (`sluice hash-key` prints the hash), "+
			"or listen on 127.0.0.1", addr)
	}
}
