package configs

// AuthKeys is the auth mode that admits only requests carrying one of the
// configured API keys.
const AuthKeys = "keys"

// Auth selects how clients authenticate.
type Auth struct {
	// Mode is "none" (the default, AuthNone), which admits every request
	// as one anonymous tenant, or "keys" (AuthKeys), which admits only
	// requests carrying one of Keys. `sluice serve` accepts "none" only
	// when every client listener is on a loopback address, unless it is
	// given --insecure.
	Mode string `yaml:"mode"`
	// Keys are the API keys clients may present; at least one when Mode is
	// "keys". Keys are checked even when Mode is "none", so that switching
	// modes never surfaces old mistakes.
	Keys []APIKey `yaml:"keys"`
}

// APIKey is one API key, known only by its SHA-256 (64 hex digits, as
// `sluice hash-key` prints it; letter case is ignored): the plain key never
// appears in a configuration. Exactly one of SHA256, SHA256File and
// SHA256Env gives the hash; Config.KeyHashes reads the latter two.
//
// Several keys may share a tenant (to rotate a key without downtime); they
// then share the tenant's token bucket, so they must agree on Rate and
// Burst.
type APIKey struct {
	// SHA256 is the key's SHA-256 in hex.
	SHA256 string `yaml:"sha256"`
	// SHA256File names a file whose first word is the key's SHA-256 in hex
	// (the output of sha256sum fits); a relative path is read from the
	// directory of the configuration file.
	SHA256File string `yaml:"sha256_file"`
	// SHA256Env names an environment variable holding the key's SHA-256 in
	// hex.
	SHA256Env string `yaml:"sha256_env"`
	// Tenant is who the key belongs to: requests are counted and rate
	// limited per tenant. Required.
	Tenant string `yaml:"tenant"`
	// Priority is the class of the key's requests (critical, high, normal
	// or low); default "normal". A request's x-sluice-priority header may
	// lower it, never raise it.
	Priority string `yaml:"priority"`
	// Rate is the tenant's sustained rate in requests per second; > 0 and
	// finite. Required.
	Rate float64 `yaml:"rate"`
	// Burst is the tenant's bucket size in requests; >= 1, default
	// max(1, ceil(Rate)).
	Burst int `yaml:"burst"`
	// Models are the models the key may call, as globs of path.Match
	// ("*", "llm-*", "sum"); at least one.
	Models []string `yaml:"models"`
	// Trusted marks a tenant whose routing headers are honoured; default
	// false.
	Trusted bool `yaml:"trusted"`
}

// RateLimit is a token bucket: Rate requests per second on average, bursts
// of up to Burst.
type RateLimit struct {
	// Rate is in requests per second; > 0.
	Rate float64 `yaml:"rate"`
	// Burst is the bucket's size; >= 1, default max(1, ceil(Rate)).
	Burst int `yaml:"burst"`
}
