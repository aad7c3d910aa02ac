package configs

import (
	"encoding/hex"
	"fmt"
	"math"
	"path"
	"strings"
)

// authPriorities are the priority class names a key may take, as the
// batcher names them.
var authPriorities = map[string]bool{"critical": true, "high": true, "normal": true, "low": true}

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
	if !authPriorities[k.Priority] {
		c.addf(f+".priority", "%q is not a priority class (want critical, high, normal or low)", k.Priority)
	}
	c.rateLimit(f, RateLimit{Rate: k.Rate, Burst: k.Burst})
	c.modelGlobs(f+".models", k.Models)
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

// rateLimit checks a token bucket whose rate and burst are at f.rate and
// f.burst.
func (c *checker) rateLimit(f string, l RateLimit) {
	switch {
	case !(l.Rate > 0) || math.IsInf(l.Rate, 1):
		c.addf(f+".rate", "%v must be > 0 and finite (requests per second)", l.Rate)
	case l.Burst < 1: // not reported with a bad rate, which leaves it without its default
		c.addf(f+".burst", "%d must be >= 1", l.Burst)
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

// modelAdmission checks the models' fallbacks and rate limits.
func (c *checker) modelAdmission(ms []Model) {
	names := map[string]bool{}
	for _, m := range ms {
		names[m.Name] = true
	}
	for i, m := range ms {
		f := fmt.Sprintf("models[%d]", i)
		switch {
		case m.Fallback == "":
		case m.Fallback == m.Name:
			c.addf(f+".fallback", "%q is the model itself", m.Fallback)
		case !names[m.Fallback]:
			c.addf(f+".fallback", "model %q is not defined under models", m.Fallback)
		}
		if m.RateLimit != nil {
			c.rateLimit(f+".rate_limit", *m.RateLimit)
		}
	}
}
