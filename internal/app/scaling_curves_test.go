package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/scaler"
)

// curvelessConfig is pinsConfig with a third pool, py, configured without
// a curve: in tier t beside cpu and gpu, and alone in tier own, with a
// pre-warm window.
func curvelessConfig() scaler.Config {
	c, _ := pinsConfig()
	c.Pools = append(c.Pools, scaler.PoolConfig{Pool: costmodel.Pool{Name: "py", PricePerHour: 0.05, MaxBatch: 8}, Max: 3})
	c.Tiers[0].Pools = []string{"cpu", "py", "gpu"}
	c.Tiers = append(c.Tiers, scaler.TierConfig{Name: "own", SLO: time.Second, Pools: []string{"py"}})
	c.Prewarm = []scaler.Prewarm{{Schedule: "@daily", Duration: time.Hour, Pool: "py", Min: 1}}
	return c
}

// planned names the pools and tiers of c, each tier with its pools.
func planned(c scaler.Config) (pools []string, tiers map[string][]string, prewarm int) {
	tiers = map[string][]string{}
	for _, p := range c.Pools {
		pools = append(pools, p.Name)
	}
	for _, t := range c.Tiers {
		tiers[t.Name] = t.Pools
	}
	return pools, tiers, len(c.Prewarm)
}

// TestPlannable checks that a pool without a curve is planned only once
// one is learned of it, and its tier and pre-warm window with it.
func TestPlannable(t *testing.T) {
	learned := costmodel.Curve{Base: 30 * time.Millisecond, PerItem: 5 * time.Millisecond}
	c := curvelessConfig()
	pools, tiers, prewarm := planned(plannable(c, nil))
	if diff := cmp.Diff([]string{"cpu", "gpu"}, pools); diff != "" {
		t.Errorf("pools before a curve is learned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"t": {"cpu", "gpu"}}, tiers); diff != "" {
		t.Errorf("tiers before a curve is learned (-want +got):\n%s", diff)
	}
	if prewarm != 0 {
		t.Errorf("%d pre-warm windows kept for a pool left out", prewarm)
	}
	if _, err := scaler.NewSpec(plannable(c, nil)); err != nil {
		t.Errorf("the scaler cannot plan without py: %v", err)
	}
	got := plannable(c, map[string]costmodel.Curve{"py": learned})
	pools, tiers, prewarm = planned(got)
	if diff := cmp.Diff([]string{"cpu", "gpu", "py"}, pools); diff != "" {
		t.Errorf("pools once learned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"t": {"cpu", "py", "gpu"}, "own": {"py"}}, tiers); diff != "" {
		t.Errorf("tiers once learned (-want +got):\n%s", diff)
	}
	if !cmp.Equal(got.Pools[2].Curve, learned) || prewarm != 1 {
		t.Errorf("py planned with %+v and %d pre-warm windows, want the learned curve and 1", got.Pools[2].Curve, prewarm)
	}
	if !c.Pools[2].Curve.IsZero() || len(c.Tiers[0].Pools) != 3 {
		t.Error("plannable modified its argument")
	}
}

// TestPinsLearn hands the pins the router's curves as they would come:
// none yet, a first measurement (taken), a small move (kept), a large
// one (taken again), and one the scaler refuses (a tier it cannot serve).
func TestPinsLearn(t *testing.T) {
	var specs []*scaler.Spec
	p, _, err := newPins(curvelessConfig(), map[string]int{"cpu": 1, "gpu": 1, "py": 1}, apptest.Epoch, func(s *scaler.Spec) { specs = append(specs, s) })
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	cpu := costmodel.Curve{Base: 20 * ms, PerItem: 5 * ms}
	steps := []struct {
		name    string
		py      costmodel.Curve
		taken   []string
		planned costmodel.Curve // py's curve in the spec; zero when left out
		wantErr bool
	}{
		{"nothing learned", costmodel.Curve{}, nil, costmodel.Curve{}, false},
		{"calibrated", costmodel.Curve{Base: 30 * ms, PerItem: 5 * ms}, []string{"py"}, costmodel.Curve{Base: 30 * ms, PerItem: 5 * ms}, false},
		{"moved by a tenth", costmodel.Curve{Base: 33 * ms, PerItem: 5 * ms}, nil, costmodel.Curve{Base: 30 * ms, PerItem: 5 * ms}, false},
		{"moved by half", costmodel.Curve{Base: 45 * ms, PerItem: 8 * ms}, []string{"py"}, costmodel.Curve{Base: 45 * ms, PerItem: 8 * ms}, false},
		{"too slow for its own tier", costmodel.Curve{Base: 2 * time.Second}, nil, costmodel.Curve{Base: 45 * ms, PerItem: 8 * ms}, true},
	}
	for _, s := range steps {
		taken, err := p.learn(map[string]costmodel.Curve{"cpu": cpu, "py": s.py})
		if (err != nil) != s.wantErr || !cmp.Equal(s.taken, taken) {
			t.Errorf("%s: learn = %v, %v; want %v, error %v", s.name, taken, err, s.taken, s.wantErr)
		}
		var got costmodel.Curve
		if len(specs) > 0 {
			for _, pc := range specs[len(specs)-1].Config().Pools {
				if pc.Name == "py" {
					got = pc.Curve
				}
			}
		}
		if !cmp.Equal(got, s.planned) {
			t.Errorf("%s: the scaler plans py with %+v, want %+v", s.name, got, s.planned)
		}
	}
}
