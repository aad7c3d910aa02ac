package sim

// staticTarget is the utilization the static baselines provision the
// peak at: the headroom an operator keeps, the same target as the
// autoscaling baselines.
const staticTarget = 0.7

// static keeps one fleet for the whole run.
type static struct {
	fleet []int
}

var _ Policy = (*static)(nil)

// newStaticPeak returns the static-peak baseline: the cheapest fleet that
// serves every second of the trace at staticTarget utilization, all the
// time.
func newStaticPeak(s Setup) (Policy, error) {
	return newStatic(s, func(Pool) bool { return true }), nil
}

// newStaticOnDemand returns the static-ondemand baseline: static-peak
// restricted to on-demand pools.
func newStaticOnDemand(s Setup) (Policy, error) {
	return newStatic(s, func(p Pool) bool { return !p.Spot }), nil
}

// newStatic sizes the fleet over the pools use accepts, at their starting
// prices.
func newStatic(s Setup, use func(Pool) bool) *static {
	f := s.Fleet
	avail, prices := make([]bool, len(f.Pools)), make([]float64, len(f.Pools))
	for i, p := range f.Pools {
		avail[i], prices[i] = use(p), p.PricePerHour
	}
	z := newSizer(f)
	var need [3]float64
	for _, sec := range s.Trace.Seconds {
		n := z.needs(secondDemand(sec), staticTarget)
		for g := range need {
			need[g] = max(need[g], n[g])
		}
	}
	return &static{fleet: z.solve(need, avail, prices)}
}

// Start returns the fleet.
func (p *static) Start(*Observation) []int { return p.fleet }

// Decide returns the fleet.
func (p *static) Decide(*Observation) Decision { return Decision{Replicas: p.fleet} }

// secondDemand returns the expected demand of one trace second.
func secondDemand(s Second) demand {
	return demand{Light: s.RPS * (1 - s.HeavyFraction), Heavy: s.RPS * s.HeavyFraction}
}
