package app

import (
	"fmt"
	"slices"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/scaler"
)

// reload hands the scaler the pools, tiers, budget and knobs of next: its
// spec (through the pins), the models whose fallbacks it turns on, and
// the metrics' series of new spot pools; the prices it shows are read
// from what is in force, which the reloader replaces once every part has
// taken next. It fails, changing nothing, when the scaler cannot plan
// with next, such as a tier whose pools cannot meet the SLO of a model it
// serves, or an operator's pin the new bounds contradict.
func (s *autoscaler) reload(next *inForce) error {
	if err := s.pins.rebase(scalerConfig(next), initialSizes(next.fleet)); err != nil {
		return err
	}
	s.admission.SetFallbacks(tierFallbacks(next.cfg))
	s.decisions.initialize(next.fleet)
	return nil
}

// rebase makes base the configured bounds the pins apply to, and initial
// the sizes the startup minimums (if still in force) raise pools to. The
// pins of pools base no longer has are dropped, and the curves learned of
// pools base gives a curve. It hands the Loop the
// resulting spec, or fails, changing nothing, when the spec cannot be
// made.
func (p *pins) rebase(base scaler.Config, initial map[string]int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	byPool := map[string]poolPin{}
	for name, pp := range p.byPool {
		if slices.ContainsFunc(base.Pools, func(pc scaler.PoolConfig) bool { return pc.Name == name }) {
			byPool[name] = pp
		}
	}
	learned := map[string]costmodel.Curve{}
	for _, pc := range base.Pools {
		if c, ok := p.learned[pc.Name]; ok && pc.Curve.IsZero() {
			learned[pc.Name] = c
		}
	}
	next := pins{base: base, initial: initial, learned: learned}
	spec, err := scaler.NewSpec(next.config(byPool, p.startup))
	if err != nil {
		return fmt.Errorf("scaler: %w", err)
	}
	p.base, p.initial, p.byPool, p.learned = base, initial, byPool, learned
	p.set(spec)
	return nil
}

// budget returns the budget of the configured bounds, as the last
// rebase set it; pins do not change it.
func (p *pins) budget() scaler.Budget {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.base.Budget
}
