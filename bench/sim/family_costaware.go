package sim

import (
	"fmt"
	"math"

	"github.com/sluice-gateway/sluice/scaler"
)

// costawareFamily is Sluice's scaler over two settings of its
// configuration that trade cost for headroom; its default is spec as
// configured. Without a spec its defaults are unknown (NaN: the
// configuration's, which this package does not read) and its policies
// fail to build.
func costawareFamily(spec *scaler.Spec) Family {
	cfg := spec.Config()
	if spec == nil {
		cfg.HoldColdStarts, cfg.OnDemandHigh = math.NaN(), math.NaN()
	}
	return Family{
		Name: "costaware",
		Doc:  "Sluice's scaler (scaler.Decide) with the configuration's settings, over two of them",
		Knobs: []Knob{
			{Name: "hold_cold_starts", Doc: "cold starts a pool keeps replicas it no longer needs (scaler.hold_cold_starts)",
				Values: []float64{3, 6}, Default: cfg.HoldColdStarts},
			{Name: "on_demand_high", Doc: "share of a tier's high-priority demand kept off spot pools (scaler.on_demand_high)",
				Values: []float64{0, 1}, Default: cfg.OnDemandHigh},
		},
		Build: func(p Point) NewPolicyFunc {
			return func(s Setup) (Policy, error) {
				if spec == nil {
					return nil, fmt.Errorf("%w: costaware needs the scaler's spec", ErrPolicy)
				}
				c := cfg
				c.HoldColdStarts, c.OnDemandHigh = p["hold_cold_starts"], p["on_demand_high"]
				at, err := scaler.NewSpec(c)
				if err != nil {
					return nil, fmt.Errorf("%w: costaware at hold_cold_starts=%g, on_demand_high=%g: %w",
						ErrPolicy, c.HoldColdStarts, c.OnDemandHigh, err)
				}
				s.Scaler = at
				return newCostaware(s)
			}
		},
	}
}
