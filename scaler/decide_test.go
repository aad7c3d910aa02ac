package scaler

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// step advances a world: one tick 2s after the previous one, or, with a
// span, a tick every 2s for that long. want is checked after the last tick
// (after every tick with hold); check, if set, inspects the last plan with
// the events and changes of all the step's ticks.
type step struct {
	span  time.Duration
	rate  float64                 // arrival rate of tier "t"
	pools map[string]PoolSnapshot // replaces these pools' snapshots
	want  map[string]int
	hold  bool
	check func(t *testing.T, p Plan)
}

func TestDecideScenarios(t *testing.T) {
	cpuOnly := Config{Pools: []PoolConfig{cpuPool("cpu", 0, 100)}, Tiers: []TierConfig{tier("t", "cpu")}}
	spot := Config{
		Pools: []PoolConfig{
			gpuPool("gpu-spot", true, 1.20, 60*time.Second, 10),
			gpuPool("gpu-od", false, 3.00, 90*time.Second, 10),
		},
		Tiers: []TierConfig{tier("t", "gpu-spot", "gpu-od")},
	}
	bridge := Config{
		Pools: []PoolConfig{gpuPool("gpu", false, 1.20, 60*time.Second, 10), cpuPool("cpu", 0, 100)},
		Tiers: []TierConfig{tier("t", "gpu", "cpu")},
	}
	quickCPU := cpuOnly
	quickCPU.HoldColdStarts = 3
	uncapped := spot
	uncapped.SpotShareMax = 1
	prewarm := cpuOnly
	prewarm.Prewarm = []Prewarm{{Schedule: "CRON_TZ=UTC 0 9 * * *", Duration: time.Hour, Pool: "cpu", Min: 5}}
	lostSpot := map[string]PoolSnapshot{"gpu-spot": {Ready: 2, Interrupted: 2}}
	vanished := map[string]PoolSnapshot{"gpu-spot": {Ready: 2}}

	tests := []struct {
		name  string
		cfg   Config
		ready map[string]int
		steps []step
	}{
		{
			name: "a 5x spike panics and scales up in one tick", cfg: cpuOnly, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50, want: map[string]int{"cpu": 10}, hold: true, check: wantPanic(false)},
				// The surge has not lasted the pool's 10s cold start, so
				// the pool is sized for the level that has, 50 rps, plus
				// the error band the jump widened.
				{rate: 250, want: map[string]int{"cpu": 18}, check: all(wantPanic(true), wantEvents(EventPanic),
					wantReason("cpu", "forecast: t forecast 90 rps over 50 at SLO"))},
			},
		},
		{
			name: "quiet scales down only after the window", cfg: cpuOnly, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50, want: map[string]int{"cpu": 10}},
				{span: 5*time.Minute - 2*time.Second, rate: 10, want: map[string]int{"cpu": 10}, hold: true},
				// The first quiet tick's need, 30 + 2·4 = 38 rps, now leads the window.
				{rate: 10, want: map[string]int{"cpu": 8}, check: wantReason("cpu", "stabilization: highest need of the last 5m0s")},
				{span: 10 * time.Minute, rate: 10, want: map[string]int{"cpu": 2}},
			},
		},
		{
			name: "a panic holds its pools until calm for a window", cfg: cpuOnly, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50},
				{rate: 250, check: wantPanic(true)},
				{span: 8 * time.Second, rate: 250, pools: map[string]PoolSnapshot{"cpu": {Ready: 10}},
					want: map[string]int{"cpu": 50}},
				// Ready capacity lags, so the surge lasts, and its peak is
				// held beyond the stabilization window.
				{span: 6 * time.Minute, rate: 250, pools: map[string]PoolSnapshot{"cpu": {Ready: 10}},
					want: map[string]int{"cpu": 62}, check: wantPanic(true)},
				{span: 5*time.Minute - 2*time.Second, rate: 10, want: map[string]int{"cpu": 62}, hold: true, check: wantPanic(true)},
				{rate: 10, want: map[string]int{"cpu": 36}, check: all(wantPanic(false), wantEvents(EventCalm))},
				{span: 10 * time.Minute, rate: 10, want: map[string]int{"cpu": 2}},
			},
		},
		{
			name: "an empty min-0 pool with a queue scales to one", cfg: cpuOnly,
			steps: []step{
				{pools: map[string]PoolSnapshot{"cpu": {Queued: 3}}, want: map[string]int{"cpu": 1},
					check: wantReason("cpu", "queue: queue 3 with 0 rps arriving, drained within 5s")},
			},
		},
		{
			name: "a one-tick burst the ready replicas absorbed sizes the queue floor at the mean", cfg: cpuOnly, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50, pools: map[string]PoolSnapshot{"cpu": {Ready: 10, ArrivalRate: 50}},
					want: map[string]int{"cpu": 10}},
				// 150 rps for one tick left 20 queued, 0.4s at 10·5 rps:
				// the rate that goes on is the 5s mean, (50+50+150)/3,
				// and (83.3 + 20/5s)/5 rps takes 18 replicas, not the
				// (150 + 4)/5 = 31 of one tick's rate.
				{rate: 50, pools: map[string]PoolSnapshot{"cpu": {Ready: 10, ArrivalRate: 150, Queued: 20}},
					want: map[string]int{"cpu": 18}, check: wantReason("cpu", "queue: queue 20 with 83 rps arriving, drained within 5s")},
				// 200 queued wait 4s, past the SLO: the pool did not
				// absorb the tick, whose rate counts, (150 + 40)/5 = 38.
				{rate: 50, pools: map[string]PoolSnapshot{"cpu": {Ready: 10, ArrivalRate: 150, Queued: 200}},
					want: map[string]int{"cpu": 38}, check: wantReason("cpu", "queue: queue 200 with 150 rps arriving, drained within 5s")},
			},
		},
		{
			name: "an empty min-0 pool with arrivals scales to one", cfg: cpuOnly,
			steps: []step{
				{pools: map[string]PoolSnapshot{"cpu": {ArrivalRate: 0.1}}, want: map[string]int{"cpu": 1}},
			},
		},
		{
			name: "an idle min-0 pool goes to zero after the window", cfg: cpuOnly, ready: map[string]int{"cpu": 1},
			steps: []step{
				{span: time.Minute, rate: 4, want: map[string]int{"cpu": 1}, hold: true},
				{span: 5*time.Minute - 2*time.Second, rate: 0, want: map[string]int{"cpu": 1}, hold: true},
				{span: 3 * time.Minute, rate: 0, want: map[string]int{"cpu": 0}, check: wantChanges("cpu 1→0: no demand; -0.10 $/h")},
			},
		},
		{
			name: "a cron window raises the minimum a cold start ahead", cfg: prewarm,
			steps: []step{
				{span: time.Hour - 12*time.Second, want: map[string]int{"cpu": 0}, hold: true}, // to 08:59:48
				{want: map[string]int{"cpu": 5}, check: wantChanges(`cpu 0→5: pre-warm "CRON_TZ=UTC 0 9 * * *" min 5; +0.50 $/h`)},
				{span: time.Hour - 2*time.Second, want: map[string]int{"cpu": 5}, hold: true}, // to 09:59:48
				{want: map[string]int{"cpu": 0}},
			},
		},
		{
			name: "lost spot workers are covered on demand at once", cfg: spot, ready: map[string]int{"gpu-spot": 4, "gpu-od": 2},
			steps: []step{
				// 70 % of 1000 rps on spot: 3.5 replicas; 300 rps on demand: 1.5.
				{span: time.Minute, rate: 1000, want: map[string]int{"gpu-spot": 4, "gpu-od": 2}, hold: true},
				{rate: 1000, pools: lostSpot, want: map[string]int{"gpu-spot": 4, "gpu-od": 3},
					check: all(wantEvents(EventSpotLost), wantReason("gpu-od", "covering gpu-spot's lost workers"))},
				{span: 58 * time.Second, rate: 1000, pools: map[string]PoolSnapshot{"gpu-spot": {Ready: 2, Starting: 2}},
					want: map[string]int{"gpu-spot": 4, "gpu-od": 3}, hold: true},
				// Spot is back at loss+60s, the back-off ends at loss+2m.
				{span: 62 * time.Second, rate: 1000, want: map[string]int{"gpu-spot": 4, "gpu-od": 3}, hold: true,
					check: wantEvents(EventSpotRestored)},
				{span: 4 * time.Minute, rate: 1000, want: map[string]int{"gpu-spot": 4, "gpu-od": 2}},
			},
		},
		{
			name: "vanished spot workers count as lost", cfg: spot, ready: map[string]int{"gpu-spot": 4, "gpu-od": 2},
			steps: []step{
				{span: time.Minute, rate: 1000},
				{rate: 1000, pools: vanished, want: map[string]int{"gpu-spot": 4, "gpu-od": 3}, check: wantEvents(EventSpotLost)},
			},
		},
		{
			name: "fast pools cover a slow cheap pool until it is ready", cfg: bridge, ready: map[string]int{"gpu": 1},
			steps: []step{
				{span: time.Minute, rate: 200, want: map[string]int{"gpu": 1, "cpu": 0}, hold: true},
				// 414 rps in 60s on gpu, 376 in 10s less 1 ready gpu on
				// cpu: the trend adds at most 15s of itself (damping).
				{rate: 400, pools: map[string]PoolSnapshot{"gpu": {Ready: 1}}, want: map[string]int{"gpu": 3, "cpu": 36}},
				{span: 58 * time.Second, rate: 400, pools: map[string]PoolSnapshot{"gpu": {Ready: 1, Starting: 3}}},
				{span: 10 * time.Minute, rate: 400, want: map[string]int{"gpu": 2, "cpu": 0}},
			},
		},
		{
			name: "a fast pool gives back what it no longer needs after three cold starts", cfg: quickCPU, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50, want: map[string]int{"cpu": 10}},
				{span: 30*time.Second - 2*time.Second, rate: 10, want: map[string]int{"cpu": 10}, hold: true},
				{rate: 10, want: map[string]int{"cpu": 8}, check: wantReason("cpu", "stabilization: highest need of the last 30s")},
			},
		},
		{
			name: "a fast pool in a panic keeps its size for three cold starts after the last surge", cfg: quickCPU, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50},
				{span: 10 * time.Second, rate: 250, pools: map[string]PoolSnapshot{"cpu": {Ready: 10}}, want: map[string]int{"cpu": 50}},
				{span: 28 * time.Second, rate: 10, want: map[string]int{"cpu": 50}, hold: true, check: wantPanic(true)},
				{span: 4 * time.Second, rate: 10, check: all(wantPanic(true), func(t *testing.T, p Plan) {
					t.Helper()
					if got := p.Replicas["cpu"]; got >= 50 {
						t.Errorf("cpu = %d after 32s without a surge, want it scaled down", got)
					}
				})},
			},
		},
		{
			name: "a surge shorter than a slow pool's cold start starts only fast pools", cfg: bridge, ready: map[string]int{"gpu": 1},
			steps: []step{
				{span: time.Minute, rate: 100, want: map[string]int{"gpu": 1, "cpu": 0}, hold: true},
				// The gpu pool is sized for the 100 rps that lasted its
				// 60s cold start plus the error band the surge widened:
				// 3 replicas, not the 6 the forecast would start.
				{rate: 2000, pools: map[string]PoolSnapshot{"gpu": {Ready: 1}}, want: map[string]int{"gpu": 3},
					check: all(wantPanic(true), func(t *testing.T, p Plan) {
						t.Helper()
						if p.Replicas["cpu"] == 0 {
							t.Errorf("no cpu replicas cover the surge")
						}
					})},
			},
		},
		{
			name: "a surge that outlasts the panic window starts the slow pools for its rate", cfg: bridge, ready: map[string]int{"gpu": 1},
			steps: []step{
				{span: time.Minute, rate: 100, want: map[string]int{"gpu": 1, "cpu": 0}, hold: true},
				// After 8s at 2000 rps the surge is a level shift, not a
				// burst: the gpu pool is sized for its rate now, rather
				// than for the 100 rps that lasted its cold start (3),
				// a minute later.
				{span: 8 * time.Second, rate: 2000, pools: map[string]PoolSnapshot{"gpu": {Ready: 1}}, want: map[string]int{"gpu": 10},
					check: wantPanic(true)},
			},
		},
		{
			name: "a queue built by a surge shorter than a slow pool's cold start starts none of it", cfg: bridge, ready: map[string]int{"gpu": 1},
			steps: []step{
				{span: time.Minute, rate: 100, want: map[string]int{"gpu": 1, "cpu": 0}, hold: true},
				// Draining 6000 queued within 5s would take 6 gpu
				// replicas, ready in 60s; the gpu pool stays sized for
				// the 100 rps that lasted its cold start.
				{rate: 2000, pools: map[string]PoolSnapshot{"gpu": {Ready: 1, Queued: 6000, ArrivalRate: 200, P95: 3 * time.Second}},
					want: map[string]int{"gpu": 3}, check: wantPanic(true)},
				// Once the surge has lasted the cold start, the queue
				// counts for it.
				{span: time.Minute, rate: 2000, pools: map[string]PoolSnapshot{"gpu": {Ready: 3, Queued: 6000, ArrivalRate: 200}},
					want: map[string]int{"gpu": 10}},
			},
		},
		{
			name: "a p95 past the SLO left by a drained backlog starts nothing", cfg: cpuOnly, ready: map[string]int{"cpu": 10},
			steps: []step{
				{span: time.Minute, rate: 50, want: map[string]int{"cpu": 10}},
				// A p95 of 10s is the wait of a backlog, which the queue
				// floor sizes; scaled in proportion it would take
				// 10·10s/800ms = 125 replicas for a queue now empty.
				{rate: 50, pools: map[string]PoolSnapshot{"cpu": {Ready: 10, ArrivalRate: 50, P95: 10 * time.Second}},
					want: map[string]int{"cpu": 10}},
				// Under the SLO, the p95 still scales in proportion.
				{rate: 50, pools: map[string]PoolSnapshot{"cpu": {Ready: 10, ArrivalRate: 50, P95: 900 * time.Millisecond}},
					want: map[string]int{"cpu": 12}, check: wantReason("cpu", "p95 900ms over 80% of SLO 1s")},
			},
		},
		{
			name: "a rising forecast at a slower pool's lead stays on the cheaper pool", cfg: uncapped, ready: map[string]int{"gpu-spot": 2},
			steps: []step{
				{span: 20 * time.Second, rate: 300},
				// The trend makes the forecast 90s ahead higher than 60s
				// ahead; one more spot replica serves it for less than one
				// on demand.
				{span: 20 * time.Second, rate: 400, want: map[string]int{"gpu-od": 0}, hold: true},
				{span: 20 * time.Second, rate: 500, want: map[string]int{"gpu-od": 0}, hold: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, mustSpec(t, tt.cfg), tt.ready)
			for i, s := range tt.steps {
				w.run(i, s)
			}
		})
	}
}

// run plays one step.
func (w *world) run(i int, s step) {
	w.t.Helper()
	var events []Event
	var changes []Change
	for end := w.now.Add(max(s.span, 2*time.Second)); w.now.Before(end); {
		p := w.tick(2*time.Second, map[string]float64{"t": s.rate}, s.pools)
		events, changes = append(events, p.Events...), append(changes, p.Changes...)
		if s.want != nil && (s.hold || !w.now.Before(end)) {
			w.check(i, s.want)
		}
	}
	if s.check != nil {
		p := w.plan
		p.Events, p.Changes = events, changes
		s.check(w.t, p)
	}
}

func (w *world) check(i int, want map[string]int) {
	w.t.Helper()
	got := map[string]int{}
	for name := range want {
		got[name] = w.plan.Replicas[name]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		w.t.Fatalf("step %d at %s: replicas (-want +got):\n%s\nchanges: %v", i, w.now.Format(time.TimeOnly), diff, w.plan.Changes)
	}
}

func all(checks ...func(*testing.T, Plan)) func(*testing.T, Plan) {
	return func(t *testing.T, p Plan) {
		t.Helper()
		for _, c := range checks {
			c(t, p)
		}
	}
}

func wantPanic(want bool) func(*testing.T, Plan) {
	return func(t *testing.T, p Plan) {
		t.Helper()
		if got := p.Tiers["t"].Panic; got != want {
			t.Errorf("tier t panic = %v, want %v", got, want)
		}
	}
}

// wantEvents checks that the step's events include the kinds.
func wantEvents(kinds ...EventKind) func(*testing.T, Plan) {
	return func(t *testing.T, p Plan) {
		t.Helper()
		var got []EventKind
		for _, e := range p.Events {
			got = append(got, e.Kind)
		}
		for _, k := range kinds {
			if !slices.Contains(got, k) {
				t.Errorf("events %v lack %q", p.Events, k)
			}
		}
	}
}

// wantReason checks that the step's first change of pool has a kind and
// reason, "kind: reason", containing each part.
func wantReason(pool string, parts ...string) func(*testing.T, Plan) {
	return func(t *testing.T, p Plan) {
		t.Helper()
		for _, c := range p.Changes {
			if c.Pool != pool {
				continue
			}
			why := string(c.Kind) + ": " + c.Reason
			for _, part := range parts {
				if !strings.Contains(why, part) {
					t.Errorf("kind and reason %q lack %q", why, part)
				}
			}
			return
		}
		t.Errorf("changes %v lack pool %q", p.Changes, pool)
	}
}

// wantChanges checks the step's changes, formatted.
func wantChanges(want ...string) func(*testing.T, Plan) {
	return func(t *testing.T, p Plan) {
		t.Helper()
		var got []string
		for _, c := range p.Changes {
			got = append(got, c.String())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
	}
}
