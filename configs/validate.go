package configs

import (
	"errors"
	"fmt"
	"math"
	"net"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Validate checks a Config built in Go against the rules documented on its
// fields, after ApplyDefaults. It returns nil or Errors holding every
// problem; their lines are 0, since a Config does not remember where its
// values came from (Parse reports lines).
func (c *Config) Validate() error {
	return validate(c, func(string) int { return 0 }).err()
}

// validate checks cfg, placing each problem at line(field); it returns nil
// or every problem, sorted by line.
func validate(cfg *Config, line func(field string) int) Errors {
	c := &checker{file: cfg.File, line: line}
	c.listen(cfg.Listen)
	c.auth(cfg.Auth)
	pools := c.pools(cfg.Pools)
	tiers := c.tiers(cfg.Tiers, pools)
	c.models(cfg.Models, tiers)
	c.modelAdmission(cfg.Models)
	c.routing(cfg, tiers)
	c.queue(cfg.Queue)
	c.positive("scaler.interval", cfg.Scaler.Interval)
	c.scaler(cfg)
	c.nonNegativeNumber("budget.per_hour", cfg.Budget.PerHour)
	c.shutdown(cfg.Shutdown)
	c.limits(cfg)
	c.protocol(cfg.Protocol)
	c.admin(cfg)
	c.tls(cfg)
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
	return c.errs
}

// checker collects the problems of one Config.
type checker struct {
	file string
	line func(field string) int
	errs Errors
}

func (c *checker) addf(field, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Line: c.line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) listen(l Listen) {
	used := map[string]string{}
	for _, a := range []struct{ field, addr string }{
		{"listen.http", l.HTTP}, {"listen.grpc", l.GRPC}, {"listen.admin", l.Admin}, {"listen.xds", l.XDS},
	} {
		if a.addr == "" {
			continue
		}
		port, err := splitPort(a.addr)
		switch {
		case err != nil:
			c.addf(a.field, "%q is not host:port: %v", a.addr, err)
		case port != 0:
			c.unique(used, a.addr, a.field)
		}
	}
}

// splitPort returns the port of a host:port address; the port must be a
// number from 0 to 65535.
func splitPort(addr string) (uint64, error) {
	_, port, err := net.SplitHostPort(addr)
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return 0, errors.New(ae.Err) // without the address, which the caller names
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return n, nil
}

// pools checks the pools and returns the set of their non-empty names.
func (c *checker) pools(ps []Pool) map[string]bool {
	if len(ps) == 0 {
		c.addf("pools", "at least one pool is required")
	}
	names, used := map[string]bool{}, map[string]string{}
	for i, p := range ps {
		f := fmt.Sprintf("pools[%d]", i)
		if c.name(f+".name", p.Name, used) {
			c.label(f+".name", p.Name)
		}
		names[p.Name] = p.Name != ""
		c.pool(f, p)
	}
	return names
}

func (c *checker) pool(f string, p Pool) {
	c.nonNegativeNumber(f+".price_per_hour", p.PricePerHour)
	if p.MaxBatch < 1 {
		c.addf(f+".max_batch", "%d must be >= 1", p.MaxBatch)
	}
	c.costCurve(f+".curve", p.Curve)
	c.nonNegative(f+".cold_start", p.ColdStart)
	c.replicas(f+".replicas", p.Replicas)
}

func (c *checker) queue(q Queue) {
	classes := []struct {
		name string
		cq   ClassQueue
	}{{"critical", q.Critical}, {"high", q.High}, {"normal", q.Normal}, {"low", q.Low}}
	for _, cl := range classes {
		f, cq := "queue."+cl.name, cl.cq
		if cq.MaxLength < 0 {
			c.addf(f+".max_length", "%d must be >= 0", cq.MaxLength)
		}
		c.nonNegative(f+".max_queue_time", cq.MaxQueueTime)
	}
}

func (c *checker) curve(f string, base, perItem time.Duration) {
	c.nonNegative(f+".base", base)
	c.nonNegative(f+".per_item", perItem)
	if base >= 0 && perItem >= 0 && base+perItem == 0 {
		c.addf(f, "base %v + per_item %v must be > 0", base, perItem)
	}
}

func (c *checker) replicas(f string, r Replicas) {
	if r.Min < 0 {
		c.addf(f+".min", "%d must be >= 0", r.Min)
	}
	if r.Initial < 0 {
		c.addf(f+".initial", "%d must be >= 0", r.Initial)
	}
	if r.Max < 1 {
		c.addf(f+".max", "%d must be >= 1", r.Max)
	}
	switch {
	case r.Min > r.Max:
		c.addf(f+".min", "%d must be <= max %d", r.Min, r.Max)
	case r.Initial < r.Min || r.Initial > r.Max:
		c.addf(f+".initial", "%d must be between min %d and max %d", r.Initial, r.Min, r.Max)
	}
}

// tiers checks the tiers against the set of pool names and returns the set
// of their non-empty names.
func (c *checker) tiers(ts []Tier, pools map[string]bool) map[string]bool {
	names, used := map[string]bool{}, map[string]string{}
	for i, t := range ts {
		f := fmt.Sprintf("tiers[%d]", i)
		c.name(f+".name", t.Name, used)
		names[t.Name] = t.Name != ""
		c.tierPools(f+".pools", t.Pools, pools)
	}
	return names
}

func (c *checker) tierPools(f string, names []string, pools map[string]bool) {
	if len(names) == 0 {
		c.addf(f, "at least one pool is required")
	}
	used := map[string]string{}
	for i, name := range names {
		pf := fmt.Sprintf("%s[%d]", f, i)
		if !pools[name] {
			c.addf(pf, "pool %q is not defined under pools", name)
			continue
		}
		c.unique(used, name, pf)
	}
}

func (c *checker) models(ms []Model, tiers map[string]bool) {
	if len(ms) == 0 {
		c.addf("models", "at least one model is required")
	}
	used := map[string]string{}
	for i, m := range ms {
		f := fmt.Sprintf("models[%d]", i)
		c.name(f+".name", m.Name, used)
		switch {
		case m.Tier == "":
			c.addf(f+".tier", "must name a tier")
		case !tiers[m.Tier]:
			c.addf(f+".tier", "tier %q is not defined under tiers", m.Tier)
		}
		if m.MaxBatch < 0 {
			c.addf(f+".max_batch", "%d must be >= 0", m.MaxBatch)
		}
		c.positive(f+".timeout", m.Timeout)
		c.positive(f+".slo", m.SLO)
	}
}

// name checks that a name is non-empty and not in used, then adds it;
// it reports whether the name passed.
func (c *checker) name(field, name string, used map[string]string) bool {
	if name == "" {
		c.addf(field, "must not be empty")
		return false
	}
	return c.unique(used, name, field)
}

// unique reports whether value is not yet in used, adding it if so.
func (c *checker) unique(used map[string]string, value, field string) bool {
	if first, ok := used[value]; ok {
		c.addf(field, "%q duplicates %s", value, first)
		return false
	}
	used[value] = field
	return true
}

// dns1123Label is a Kubernetes DNS-1123 label, without the length limit.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func (c *checker) label(field, name string) {
	if len(name) > 63 || !dns1123Label.MatchString(name) {
		c.addf(field, "%q is not a DNS-1123 label (lower-case letters, digits and '-', "+
			"starting and ending with a letter or digit, at most 63 characters)", name)
	}
}

func (c *checker) positive(field string, d time.Duration) {
	if d <= 0 {
		c.addf(field, "%v must be > 0", d)
	}
}

func (c *checker) nonNegative(field string, d time.Duration) {
	if d < 0 {
		c.addf(field, "%v must be >= 0", d)
	}
}

// nonNegativeNumber rejects negative numbers, NaN and +Inf.
func (c *checker) nonNegativeNumber(field string, v float64) {
	switch {
	case !(v >= 0):
		c.addf(field, "%v must be >= 0", v)
	case math.IsInf(v, 1):
		c.addf(field, "%v must be finite", v)
	}
}
