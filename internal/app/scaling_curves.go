package app

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/scaling"
	"github.com/sluice-gateway/sluice/scaler"
)

// curveDrift is how far the latency the router learned of a pool
// configured without a curve, at one item or at the pool's largest batch,
// must move from the curve the scaler plans the pool with before the
// scaler takes the learned one again: a fifth.
const curveDrift = 0.2

// A pool configured without a curve (a real model server Sluice measures)
// is planned by the scaler only once its curve is known: until the router
// has calibrated it when its first worker attached, the pool stays at the
// size it has and its tiers are planned with their other pools. Then the
// scaler plans it with the curve the router learned, taken again whenever
// that curve has moved by more than curveDrift.

// plannable returns c with each pool that has no curve given the one
// learned for it, and without the pools that still have none, the tiers
// left without a pool, and the pre-warm windows of pools left out. c is
// not modified.
func plannable(c scaler.Config, learned map[string]costmodel.Curve) scaler.Config {
	out := c
	out.Pools, out.Tiers, out.Prewarm = nil, nil, nil
	known := map[string]bool{}
	for _, pc := range c.Pools {
		if pc.Curve.IsZero() {
			pc.Curve = learned[pc.Name]
		}
		if !pc.Curve.IsZero() {
			out.Pools = append(out.Pools, pc)
			known[pc.Name] = true
		}
	}
	for _, tc := range c.Tiers {
		tc.Pools = slices.DeleteFunc(slices.Clone(tc.Pools), func(p string) bool { return !known[p] })
		if len(tc.Pools) > 0 {
			out.Tiers = append(out.Tiers, tc)
		}
	}
	for _, pw := range c.Prewarm {
		if known[pw.Pool] {
			out.Prewarm = append(out.Prewarm, pw)
		}
	}
	return out
}

// adopt returns the curves the scaler should plan the unconfigured pools
// of base with: was, with the curve of now of each such pool that has one
// (its batch of one takes time) and either none in was or one that moved
// by more than curveDrift; taken names those, in base's order.
func adopt(base scaler.Config, was, now map[string]costmodel.Curve) (next map[string]costmodel.Curve, taken []string) {
	next = maps.Clone(was)
	if next == nil {
		next = map[string]costmodel.Curve{}
	}
	for _, pc := range base.Pools {
		cur, ok := now[pc.Name]
		if !pc.Curve.IsZero() || !ok || cur.Latency(1) <= 0 {
			continue
		}
		if old, had := was[pc.Name]; had && !moved(old, cur, pc.MaxBatch) {
			continue
		}
		next[pc.Name] = cur
		taken = append(taken, pc.Name)
	}
	return next, taken
}

// moved reports whether b's latency at one item or at maxBatch differs
// from a's by more than curveDrift of a's.
func moved(a, b costmodel.Curve, maxBatch int) bool {
	for _, n := range []int{1, max(maxBatch, 1)} {
		la, lb := float64(a.Latency(n)), float64(b.Latency(n))
		if la <= 0 || (lb-la)/la > curveDrift || (la-lb)/la > curveDrift {
			return true
		}
	}
	return false
}

// learn plans the pools configured without a curve with the curves the
// router learned of them, as adopt takes them, handing the Loop the new
// spec when any was taken, and names those. It fails, changing nothing,
// when the scaler cannot plan with them, such as a tier whose pools
// cannot meet its SLO with the curves measured.
func (p *pins) learn(curves map[string]costmodel.Curve) (taken []string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next, taken := adopt(p.base, p.learned, curves)
	if len(taken) == 0 {
		return nil, nil
	}
	was := p.learned
	p.learned = next
	spec, err := scaler.NewSpec(p.config(p.byPool, p.startup))
	if err != nil {
		p.learned = was
		return nil, fmt.Errorf("scaler: the curves measured of %v: %w", taken, err)
	}
	p.set(spec)
	return taken, nil
}

// learnedCurves returns, at each call, the curve the router learned of
// each pool of plane.
func learnedCurves(plane scaling.Plane) func() map[string]costmodel.Curve {
	return func() map[string]costmodel.Curve {
		out := map[string]costmodel.Curve{}
		for _, ps := range plane.Stats() {
			out[ps.Name] = ps.Curve
		}
		return out
	}
}

// learnCurves hands the scaler the curves learned of the pools
// configured without one; each taken is logged.
func (s *autoscaler) learnCurves() {
	if s.curves == nil {
		return
	}
	taken, err := s.pins.learn(s.curves())
	if msg := fmt.Sprint(err); err != nil && msg != s.curveErr {
		s.log.Warn("scaler: keeping the pools it plans", slog.Any("error", err))
		s.curveErr = msg
	}
	for _, name := range taken {
		s.log.Info("scaler: planning a pool with the curve measured of it", slog.String("pool", name))
	}
}
