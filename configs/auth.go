package configs

import (
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// The modes of Auth.
const (
	// AuthNone is the auth mode that admits every request.
	AuthNone = "none"
	// AuthKeys is the auth mode that admits only requests carrying one of
	// the configured API keys.
	AuthKeys = "keys"
)

// Defaults of the auth section.
const (
	// DefaultAuthMode admits every client.
	DefaultAuthMode = AuthNone
	// DefaultKeyPriority is the priority class of an API key that names
	// none.
	DefaultKeyPriority = "normal"
)

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
	// or low); default "normal" (DefaultKeyPriority). A request's
	// x-sluice-priority header may lower it, never raise it.
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
	// Budget caps what the key's calls may cost, on top of its tenant's
	// budget, with its tenant's soft and fallback ratios; the zero value
	// caps nothing.
	Budget TenantBudget `yaml:"budget"`
}

// applyDefaults fills the mode and the keys' priorities and bursts.
func (a *Auth) applyDefaults() {
	fillIfZero(&a.Mode, DefaultAuthMode)
	for i := range a.Keys {
		k := &a.Keys[i]
		fillIfZero(&k.Priority, DefaultKeyPriority)
		k.Burst = defaultBurst(k.Rate, k.Burst)
	}
}

// auth checks the auth section: the mode, every key, and that the keys of
// one tenant agree on its rate limit.
func (c *checker) auth(a Auth) {
	switch a.Mode {
	case AuthNone, AuthKeys:
	default:
		c.addf("auth.mode", "%q is not a supported mode (want %q or %q)", a.Mode, AuthNone, AuthKeys)
	}
	if a.Mode == AuthKeys && len(a.Keys) == 0 {
		c.addf("auth.keys", "at least one key is required with mode %q", AuthKeys)
	}
	hashes := map[string]string{}
	tenants := map[string]int{}
	for i, k := range a.Keys {
		f := fmt.Sprintf("auth.keys[%d]", i)
		c.apiKey(f, k, hashes)
		if first, ok := tenants[k.Tenant]; ok {
			c.sameTenantLimit(f, k, first, a.Keys[first])
		} else if k.Tenant != "" {
			tenants[k.Tenant] = i
		}
	}
}

// apiKey checks one key; hashes maps the inline hashes seen so far to the
// field that gave them.
func (c *checker) apiKey(f string, k APIKey, hashes map[string]string) {
	c.keySource(f, k)
	if k.SHA256 != "" && c.keyHash(f+".sha256", k.SHA256) {
		c.unique(hashes, strings.ToLower(k.SHA256), f+".sha256")
	}
	if k.Tenant == "" {
		c.addf(f+".tenant", "must name the key's tenant")
	}
	c.priority(f+".priority", k.Priority)
	c.rateLimit(f, RateLimit{Rate: k.Rate, Burst: k.Burst})
	c.modelGlobs(f+".models", k.Models)
	c.tenantBudget(f+".budget", k.Budget)
}

// keySource checks that exactly one of the key's hash sources is set.
func (c *checker) keySource(f string, k APIKey) {
	var set []string
	for _, s := range []struct{ name, value string }{
		{"sha256", k.SHA256}, {"sha256_file", k.SHA256File}, {"sha256_env", k.SHA256Env},
	} {
		if s.value != "" {
			set = append(set, s.name)
		}
	}
	if len(set) != 1 {
		c.addf(f, "exactly one of sha256, sha256_file and sha256_env is required, got %d (%s)",
			len(set), strings.Join(set, ", "))
	}
}

// keyHash checks a SHA-256 written in hex and reports whether it is one.
// The message never repeats the value: it may be a plain key pasted by
// mistake.
func (c *checker) keyHash(field, value string) bool {
	if err := checkKeyHash(value); err != nil {
		c.addf(field, "%v", err)
		return false
	}
	return true
}

// checkKeyHash returns an error, which does not quote s, unless s is 64 hex
// digits.
func checkKeyHash(s string) error {
	if _, err := hex.DecodeString(s); err != nil || len(s) != 2*32 {
		return fmt.Errorf("is not a SHA-256 in hex: want 64 hex digits, got %d characters "+
			"(write the output of `sluice hash-key`, never the key itself)", len(s))
	}
	return nil
}

// sameTenantLimit checks that key k, at field f, has the rate limit of the
// tenant's first key, at index first.
func (c *checker) sameTenantLimit(f string, k APIKey, first int, fk APIKey) {
	if k.Rate != fk.Rate || k.Burst != fk.Burst {
		c.addf(f, "tenant %q has rate %v and burst %d here but rate %v and burst %d in auth.keys[%d]; "+
			"the keys of one tenant share its token bucket", k.Tenant, k.Rate, k.Burst, fk.Rate, fk.Burst, first)
	}
}

// modelGlobs checks a list of path.Match patterns, at least one.
func (c *checker) modelGlobs(f string, globs []string) {
	if len(globs) == 0 {
		c.addf(f, `at least one model or glob is required ("*" allows every model)`)
	}
	for i, g := range globs {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			c.addf(fmt.Sprintf("%s[%d]", f, i), "%q is not a model name or glob", g)
		}
	}
}
