package scaler

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Spec is a checked, compiled Config: throughputs and cost orders worked
// out, schedules parsed. NewSpec makes one; it is immutable and safe for
// concurrent use. A nil *Spec plans nothing.
type Spec struct {
	cfg     Config
	pools   []poolSpec
	byName  map[string]int
	tiers   []tierSpec
	order   []int // tier indexes in the order they are filled
	prewarm []prewarmSpec
}

// poolSpec is a pool with what the policy derives from its tiers.
type poolSpec struct {
	PoolConfig
	tiers []int         // tiers whose SLO the pool can meet
	slo   time.Duration // the tightest of those tiers' SLOs; 0 if none
	thr   float64       // items/s per replica at slo
	batch int           // batch size at slo
	cost  float64       // cheapest USD per million over its tiers; +Inf if none
}

// tierSpec is a tier with its eligible pools, cheapest per inference first.
type tierSpec struct {
	TierConfig
	members []member
	// slowOnDemand: the tier has spot pools, and none of its other pools
	// starts faster than the fastest of them.
	slowOnDemand bool
}

// member is a pool that can meet a tier's SLO.
type member struct {
	pool int
	thr  float64 // items/s per replica at the tier's SLO
	cost float64 // USD per million inferences at full utilization
}

// NewSpec fills c's defaults (see Config), checks it and compiles it. Every problem is
// reported, joined, each wrapping ErrInvalidSpec and naming its field and
// value. The Spec keeps c's slices; do not modify them afterwards.
func NewSpec(c Config) (*Spec, error) {
	c = c.withDefaults()
	var p problems
	p.config(c)
	s := &Spec{cfg: c, byName: map[string]int{}}
	s.compilePools(&p)
	s.compileTiers(&p)
	s.compilePrewarm(&p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns the configuration the spec was made from, defaults
// filled. Its slices are shared with the spec and must not be modified.
func (s *Spec) Config() Config {
	if s == nil {
		return Config{}
	}
	return s.cfg
}

func (s *Spec) compilePools(p *problems) {
	for i, pc := range s.cfg.Pools {
		f := fmt.Sprintf("pools[%d] %q", i, pc.Name)
		if pc.Name == "" {
			p.addf("pools[%d]: empty name", i)
		} else if _, dup := s.byName[pc.Name]; dup {
			p.addf("%s: name used twice", f)
		}
		p.pool(f, pc)
		s.byName[pc.Name] = i
		s.pools = append(s.pools, poolSpec{PoolConfig: pc, cost: math.Inf(1)})
	}
}

func (s *Spec) compileTiers(p *problems) {
	seen := map[string]bool{}
	for i, tc := range s.cfg.Tiers {
		f := fmt.Sprintf("tiers[%d] %q", i, tc.Name)
		switch {
		case tc.Name == "":
			p.addf("tiers[%d]: empty name", i)
		case seen[tc.Name]:
			p.addf("%s: name used twice", f)
		}
		seen[tc.Name] = true
		if tc.SLO <= 0 {
			p.addf("%s: slo %v must be > 0", f, tc.SLO)
		}
		ms := s.members(p, f, i, tc)
		s.tiers = append(s.tiers, tierSpec{TierConfig: tc, members: ms, slowOnDemand: s.slowOnDemand(ms)})
	}
	s.order = fillOrder(s.tiers)
}

// members returns the pools of tier ti that can meet its SLO, cheapest per
// inference first (ties: faster cold start, then listed order), and
// records the tier on each.
func (s *Spec) members(p *problems, f string, ti int, tc TierConfig) []member {
	var ms []member
	listed := map[string]bool{}
	for _, name := range tc.Pools {
		pi, ok := s.byName[name]
		switch {
		case !ok:
			p.addf("%s: pool %q is not defined", f, name)
			continue
		case listed[name]:
			p.addf("%s: pool %q listed twice", f, name)
			continue
		}
		listed[name] = true
		if m, ok := s.member(pi, ti, tc.SLO); ok {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 && tc.SLO > 0 && len(listed) > 0 {
		p.addf("%s: no pool meets the slo %v", f, tc.SLO)
	}
	slices.SortStableFunc(ms, func(a, b member) int {
		if a.cost != b.cost {
			return cmpFloat(a.cost, b.cost)
		}
		return int(s.pools[a.pool].ColdStart - s.pools[b.pool].ColdStart)
	})
	return ms
}

// member returns pool pi as a member of tier ti at slo, updating the
// pool's tightest SLO and cheapest cost; false if it cannot meet slo.
func (s *Spec) member(pi, ti int, slo time.Duration) (member, bool) {
	ps := &s.pools[pi]
	thr := ps.Throughput(slo)
	if !(thr > 0) || math.IsInf(thr, 1) {
		return member{}, false
	}
	m := member{pool: pi, thr: thr, cost: ps.CostPerMillion(slo, 1)}
	ps.tiers = append(ps.tiers, ti)
	if ps.slo == 0 || slo < ps.slo {
		ps.slo, ps.thr, ps.batch = slo, thr, ps.BatchAt(slo)
	}
	ps.cost = min(ps.cost, m.cost)
	return m, true
}

// slowOnDemand reports whether members include spot pools and none of
// the others starts faster than the fastest of them: a tier whose spot
// pools, lost, only pools as slow as themselves can replace.
func (s *Spec) slowOnDemand(ms []member) bool {
	spot, other := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for _, m := range ms {
		if p := &s.pools[m.pool]; p.Spot {
			spot = min(spot, p.ColdStart)
		} else {
			other = min(other, p.ColdStart)
		}
	}
	return spot < math.MaxInt64 && other >= spot
}

// fillOrder returns the tier indexes, those with the fewest eligible pools
// first (then in listed order), so that the most constrained tiers claim
// shared pools before tiers that have other choices.
func fillOrder(ts []tierSpec) []int {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(ts[a].members) - len(ts[b].members) })
	return order
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// problems collects what is wrong with a Config.
type problems []error

func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf("%w: "+format, append([]any{ErrInvalidSpec}, args...)...))
}

func (p problems) err() error { return errors.Join(p...) }

func (p *problems) config(c Config) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"interval", c.Interval}, {"stabilization", c.Stabilization}, {"panic window", c.PanicWindow},
		{"spot backoff", c.SpotBackoff}, {"queue drain target", c.QueueDrainTarget},
		{"forecast damping", c.Forecast.Damping},
	} {
		if d.v <= 0 {
			p.addf("%s %v must be > 0", d.name, d.v)
		}
	}
	p.fraction("spot share max", c.SpotShareMax)
	if !(c.OnDemandHigh >= 0 && c.OnDemandHigh <= 1) {
		p.addf("on-demand high %v must be in [0, 1]", c.OnDemandHigh)
	}
	p.fraction("latency headroom", c.LatencyHeadroom)
	p.fraction("forecast alpha", c.Forecast.Alpha)
	p.fraction("forecast beta", c.Forecast.Beta)
	p.fraction("forecast error gain", c.Forecast.ErrorGain)
	if !(c.PanicThreshold > 1) || math.IsInf(c.PanicThreshold, 1) {
		p.addf("panic threshold %v must be a finite number > 1", c.PanicThreshold)
	}
	p.nonNegative("forecast error band", c.Forecast.ErrorBand)
	if !(c.HoldColdStarts > 0) {
		p.addf("hold cold starts %v must be > 0", c.HoldColdStarts)
	}
	if c.BurstMemory < 0 {
		p.addf("burst memory %v must be >= 0", c.BurstMemory)
	}
	p.nonNegative("budget per hour", c.Budget.PerHour)
	p.nonNegative("budget per day", c.Budget.PerDay)
}

func (p *problems) pool(f string, pc PoolConfig) {
	p.nonNegative(f+": price per hour", pc.PricePerHour)
	switch {
	case pc.Max < 1:
		p.addf("%s: max %d must be >= 1", f, pc.Max)
	case pc.Min < 0 || pc.Min > pc.Max:
		p.addf("%s: min %d must be between 0 and max %d", f, pc.Min, pc.Max)
	}
	if pc.Warm < 0 {
		p.addf("%s: warm %d must be >= 0", f, pc.Warm)
	}
	if pc.ColdStart < 0 {
		p.addf("%s: cold start %v must be >= 0", f, pc.ColdStart)
	}
	if pc.MinLatency() <= 0 {
		p.addf("%s: a batch of one takes %v; the curve must take time", f, pc.MinLatency())
	}
}

// fraction rejects values outside (0, 1].
func (p *problems) fraction(name string, v float64) {
	if !(v > 0 && v <= 1) {
		p.addf("%s %v must be in (0, 1]", name, v)
	}
}

// nonNegative rejects negative numbers, NaN and infinities.
func (p *problems) nonNegative(name string, v float64) {
	if !(v >= 0) || math.IsInf(v, 1) {
		p.addf("%s %v must be a finite number >= 0", name, v)
	}
}

// longestLead returns the longest cold start of tier ti's pools.
func (s *Spec) longestLead(ti int) time.Duration {
	var lead time.Duration
	for _, m := range s.tiers[ti].members {
		lead = max(lead, s.pools[m.pool].ColdStart)
	}
	return lead
}

// holdFor returns how long pool pi keeps replicas it no longer needs: the
// smaller of Stabilization and HoldColdStarts of its cold starts. Keeping
// an idle replica for as long as starting one costs is the classic
// rent-or-buy rule: it never pays more than twice the best choice made
// knowing when the demand returns, and a fast-starting pool covering a
// burst gives its replicas back long before a slow one.
func (s *Spec) holdFor(pi int) time.Duration {
	hold := s.cfg.HoldColdStarts * s.pools[pi].ColdStart.Seconds()
	if hold >= s.cfg.Stabilization.Seconds() {
		return s.cfg.Stabilization
	}
	return max(time.Duration(hold*float64(time.Second)), s.cfg.Interval)
}
