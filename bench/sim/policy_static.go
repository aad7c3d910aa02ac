package sim

// staticTarget is the utilization the static-peak baseline provisions the
// peak at: the headroom an operator keeps, the same target as the
// autoscaling baselines' defaults.
const staticTarget = 0.7

// staticFamily is a static fleet sized for the trace's peak at a
// utilization target.
var staticFamily = Family{
	Name: "static",
	Doc:  "one fleet all the time: the cheapest that serves the trace's peak second at the target utilization",
	Knobs: []Knob{{Name: "target", Doc: "utilization of the fleet at the peak, a fraction",
		Values: []float64{0.7, 0.8, 0.9, 1}, Default: staticTarget}},
	Build: func(p Point) NewPolicyFunc {
		return func(s Setup) (Policy, error) {
			return newStatic(s, p["target"], func(Pool) bool { return true }), nil
		}
	},
}

// static keeps one fleet for the whole run.
type static struct {
	fleet []int
}

var _ Policy = (*static)(nil)

// newStaticOnDemand returns the static-ondemand baseline: static-peak
// restricted to on-demand pools.
func newStaticOnDemand(s Setup) (Policy, error) {
	return newStatic(s, staticTarget, func(p Pool) bool { return !p.Spot }), nil
}

// newStatic sizes the fleet over the pools use accepts, at their starting
// prices, for the peak of every set of kinds at utilization target.
func newStatic(s Setup, target float64, use func(Pool) bool) *static {
	f := s.Fleet
	avail, prices := make([]bool, len(f.Pools)), make([]float64, len(f.Pools))
	for i, p := range f.Pools {
		avail[i], prices[i] = use(p), p.PricePerHour
	}
	z := newSizer(f)
	var need [3]float64
	for _, sec := range s.Trace.Seconds {
		n := z.needs(secondDemand(sec), target)
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
