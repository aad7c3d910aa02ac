package router

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const ms = time.Millisecond

// cpu and gpu are idle pools of one worker: cpu is cheap and slow per
// row, gpu dear and fast.
func cpu() PoolView {
	return PoolView{
		Name: "cpu", Ready: 1, FreeSlots: 1, MaxBatch: 8, BatchAt: 8, Throughput: 8 / 0.045,
		CostPerMillion: 1, Curve: costmodel.Curve{Base: 5 * ms, PerItem: 5 * ms},
	}
}

func gpu() PoolView {
	return PoolView{
		Name: "gpu", Ready: 1, FreeSlots: 1, MaxBatch: 64, BatchAt: 64, Throughput: 64 / 0.084,
		CostPerMillion: 10, Curve: costmodel.Curve{Base: 20 * ms, PerItem: time.Millisecond},
	}
}

// with returns v changed by fn.
func with(v PoolView, fn func(*PoolView)) PoolView {
	fn(&v)
	return v
}

func light() Facts { return Facts{Model: "m", Rows: 1, SLO: 200 * ms, Due: t0.Add(200 * ms)} }

func TestDefaultPicker(t *testing.T) {
	busy := func(ahead int) func(*PoolView) {
		return func(v *PoolView) { v.FreeSlots, v.Ahead, v.InFlight = 0, ahead, 8 }
	}
	// 40 rows take 205 ms on an idle cpu worker.
	heavy := Facts{Model: "m", Rows: 40, SLO: 200 * ms, Due: t0.Add(200 * ms)}
	roomy := func(v *PoolView) { v.MaxBatch = 64 }
	tests := []struct {
		name    string
		views   []PoolView
		facts   Facts
		now     time.Time
		want    string
		profile string
	}{
		{"idle: the cheapest", []PoolView{gpu(), cpu()}, light(), t0, "cpu", "cheapest-on-time"},
		{"cheapest while its wait fits the SLO", []PoolView{cpu(), gpu()}, light(), t0.Add(50 * ms),
			"cpu", "cheapest-on-time"},
		// 28 rows ahead: 22.5 ms until the worker is free, 3 batches of 8
		// before its own, 45 ms each, and its own: 202.5 ms > 200 ms.
		{"spills when the cheapest's wait breaks the SLO", []PoolView{with(cpu(), busy(28)), gpu()}, light(), t0,
			"gpu", "cheapest-on-time"},
		{"less time left spills sooner", []PoolView{with(cpu(), busy(4)), gpu()}, light(), t0.Add(150 * ms),
			"gpu", "cheapest-on-time"},
		{"none on time: the earliest", []PoolView{with(cpu(), busy(40)), with(gpu(), busy(400))}, light(), t0,
			"cpu", "earliest"},
		// An idle cpu worker takes 10 ms: no server could answer before
		// the deadline, so the call goes on and ends at its deadline.
		{"a deadline shorter than an idle answer is not refused", []PoolView{with(cpu(), busy(40))},
			Facts{Model: "m", Rows: 1, SLO: 200 * ms, Due: t0.Add(5 * ms), Deadline: t0.Add(5 * ms)}, t0, "cpu", "earliest"},
		{"no ready worker is skipped", []PoolView{with(cpu(), func(v *PoolView) { v.Ready = 0 }), gpu()}, light(), t0,
			"gpu", "cheapest-on-time"},
		{"heavy never goes where idle latency breaks the SLO", []PoolView{with(cpu(), roomy), with(gpu(), busy(2000))}, heavy, t0,
			"gpu", "earliest"},
		{"rows beyond a pool's max batch", []PoolView{with(cpu(), func(v *PoolView) { v.MaxBatch = 2 }), gpu()},
			Facts{Model: "m", Rows: 3, SLO: time.Second, Due: t0.Add(time.Second)}, t0, "gpu", "cheapest-on-time"},
		{"bytes beyond a pool's max batch bytes", []PoolView{with(cpu(), func(v *PoolView) { v.MaxBatchBytes = 1000 }), gpu()},
			Facts{Model: "m", Rows: 1, DataBytes: 1001, SLO: time.Second, Due: t0.Add(time.Second)}, t0, "gpu", "cheapest-on-time"},
		{"equal costs: the tier's order", []PoolView{with(gpu(), func(v *PoolView) { v.CostPerMillion = 1 }), cpu()}, light(), t0,
			"gpu", "cheapest-on-time"},
		{"unknown costs lose to known ones", []PoolView{with(cpu(), func(v *PoolView) { v.CostPerMillion = math.Inf(1) }), gpu()},
			light(), t0, "gpu", "cheapest-on-time"},
		{"free pools", []PoolView{with(cpu(), func(v *PoolView) { v.CostPerMillion = 0 }), with(gpu(), func(v *PoolView) { v.CostPerMillion = 0 })},
			light(), t0, "cpu", "cheapest-on-time"},
		{"no due time: every pool is on time", []PoolView{cpu(), gpu()}, Facts{Model: "m", Rows: 1}, t0, "cpu", "cheapest-on-time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := DefaultPicker().Pick(tt.views, tt.facts, tt.now)
			if err != nil {
				t.Fatalf("Pick: %v", err)
			}
			if d.Pool != tt.want || d.Profile != tt.profile {
				t.Errorf("Pick = %s by %s, want %s by %s", d.Pool, d.Profile, tt.want, tt.profile)
			}
			if tt.views[d.Index].Name != d.Pool {
				t.Errorf("Index %d names %s, not %s", d.Index, tt.views[d.Index].Name, d.Pool)
			}
		})
	}
}

func TestDefaultPickerNoCapacity(t *testing.T) {
	heavy := Facts{Model: "m", Rows: 32, SLO: 200 * ms, Due: t0.Add(200 * ms)}
	tight := Facts{Model: "m", Rows: 32, SLO: 100 * ms, Due: t0.Add(100 * ms)}
	tests := []struct {
		name  string
		views []PoolView
		facts Facts
		want  string
	}{
		{"no pool", nil, light(), `model "m": no pool left to try`},
		{"every pool down", []PoolView{with(cpu(), func(v *PoolView) { v.Ready = 0 }), with(gpu(), func(v *PoolView) { v.Ready = 0 })},
			light(), `pool "cpu": no ready worker; pool "gpu": no ready worker`},
		{"too heavy for every pool", []PoolView{cpu(), with(gpu(), func(v *PoolView) { v.MaxBatch = 16 })}, heavy,
			`pool "cpu": 32 rows exceed its max batch 8; pool "gpu": 32 rows exceed its max batch 16`},
		{"SLO unreachable", []PoolView{with(cpu(), func(v *PoolView) { v.MaxBatch = 0 })}, tight,
			`pool "cpu": idle latency 165ms for 32 rows exceeds the SLO 100ms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DefaultPicker().Pick(tt.views, tt.facts, t0)
			if !errors.Is(err, ErrNoCapacity) {
				t.Fatalf("Pick error = %v, want ErrNoCapacity", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Pick error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	// A worker of curve 5 ms + 5 ms per row, busy with a batch of 8 (45
	// ms, 22.5 ms left on average), runs batches of 8 at 177.8 rows/s.
	busy := func(ready, ahead, inFlight int, overtaking float64) PoolView {
		return PoolView{Ready: ready, Ahead: ahead, InFlight: inFlight, Overtaking: overtaking, BatchAt: 8,
			Throughput: 8 / 0.045, Curve: costmodel.Curve{Base: 5 * ms, PerItem: 5 * ms}}
	}
	tests := []struct {
		name string
		view PoolView
		rows int64
		want time.Duration
	}{
		{"idle: its own batch", cpu(), 1, 10 * ms},
		{"idle, several rows", cpu(), 3, 20 * ms},
		// 22.5 ms until the worker is free, then a batch of 5.
		{"rides along with the rows ahead", busy(1, 4, 8, 0), 1, 52500 * time.Microsecond},
		// 20 rows ahead and its own: 13 beyond its batch, 2 batches first.
		{"whole batches ahead", busy(1, 20, 8, 0), 1, 157500 * time.Microsecond},
		// The first of two busy workers is free in 15 ms; two batches at
		// 22.5 ms each on two workers.
		{"two workers share the batches ahead", busy(2, 20, 16, 0), 1, 105 * ms},
		// 40 rows/s overtake: 13.9 rows beyond its batch at 60 % of the
		// throughput left make 3 batches ahead.
		{"more urgent arrivals overtake", busy(1, 20, 8, 40), 1, 202500 * time.Microsecond},
		{"overtaking takes the whole throughput", busy(1, 4, 8, 8/0.045), 1, math.MaxInt64},
		{"the batch is capped at BatchAt", PoolView{Ready: 1, Ahead: 100, BatchAt: 8, Throughput: 1000,
			Curve: costmodel.Curve{PerItem: ms}}, 1, 104 * ms},
		{"a request over BatchAt rides alone", PoolView{Ready: 1, FreeSlots: 1, BatchAt: 8, Throughput: 1000,
			Curve: costmodel.Curve{PerItem: ms}}, 20, 20 * ms},
		{"no capacity saturates", PoolView{Ahead: 1, BatchAt: 1, Throughput: 0}, 1, math.MaxInt64},
		{"instant curve", PoolView{Ready: 1, Ahead: 5, BatchAt: 1, Throughput: math.Inf(1)}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.view.Completion(tt.rows); got != tt.want {
				t.Errorf("Completion(%d) = %v, want %v", tt.rows, got, tt.want)
			}
		})
	}
}

// constScorer returns its fixed list, whatever the candidates.
type constScorer []float64

func (s constScorer) Score(Facts, []Candidate) []float64 { return s }

func TestEngineClampsScores(t *testing.T) {
	tests := []struct {
		name   string
		scorer Scorer
		want   string
	}{
		{"above 1 counts as 1", constScorer{1, 5}, "cpu"},
		{"NaN counts as 0", constScorer{math.NaN(), 0.1}, "gpu"},
		{"negative counts as 0", constScorer{-3, 0}, "cpu"},
		{"missing scores count as 0", constScorer{0}, "cpu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Engine{Profiles: []Profile{{Name: "p", Scorers: []Weighted{{tt.scorer, 1}}}}}
			d, err := e.Pick([]PoolView{cpu(), gpu()}, light(), t0)
			if err != nil {
				t.Fatal(err)
			}
			if d.Pool != tt.want {
				t.Errorf("Pick = %s, want %s", d.Pool, tt.want)
			}
		})
	}
}

func TestScorers(t *testing.T) {
	cs := func(costs ...float64) []Candidate {
		out := make([]Candidate, len(costs))
		for i, c := range costs {
			out[i] = Candidate{PoolView: PoolView{CostPerMillion: c}, Completion: time.Duration(c * float64(ms))}
		}
		return out
	}
	inf := math.Inf(1)
	tests := []struct {
		name   string
		scorer Scorer
		cs     []Candidate
		want   []float64
	}{
		{"cost: ratio to the cheapest", CostScorer{}, cs(2, 4, 8), []float64{1, 0.5, 0.25}},
		{"cost: free pools", CostScorer{}, cs(0, 0, 3), []float64{1, 1, 0}},
		{"cost: unknown", CostScorer{}, cs(inf, 2), []float64{0, 1}},
		{"cost: all unknown", CostScorer{}, cs(inf, inf), []float64{1, 1}},
		{"speed: ratio to the earliest", SpeedScorer{}, cs(10, 20, 40), []float64{1, 0.5, 0.25}},
		{"speed: instant", SpeedScorer{}, cs(0, 5), []float64{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.scorer.Score(light(), tt.cs)); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPickThrifty checks that a thrifty request stays on the cheap pool
// that would be late rather than spill to a dear one that is on time,
// while a request that is not thrifty spills.
func TestPickThrifty(t *testing.T) {
	now := time.Unix(0, 0)
	f := Facts{Model: "m", Rows: 1, SLO: 100 * time.Millisecond, Due: now.Add(100 * time.Millisecond)}
	curve := costmodel.Curve{Base: 10 * time.Millisecond}
	views := []PoolView{
		{Name: "gpu", Ready: 1, FreeSlots: 1, BatchAt: 1, Throughput: 100, CostPerMillion: 10, Curve: curve},
		{Name: "cpu", Ready: 1, Ahead: 50, BatchAt: 1, Throughput: 100, CostPerMillion: 1, Curve: curve},
	}
	for _, tt := range []struct {
		name    string
		thrifty bool
		want    string
		profile string
	}{
		{"as usual", false, "gpu", "cheapest-on-time"},
		{"thrifty", true, "cpu", "thrifty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.Thrifty = tt.thrifty
			d, err := DefaultPicker().Pick(views, f, now)
			if err != nil || d.Pool != tt.want || d.Profile != tt.profile {
				t.Errorf("Pick = %s by %s, %v; want %s by %s", d.Pool, d.Profile, err, tt.want, tt.profile)
			}
		})
	}
}

// TestDeadlineFilter refuses a pool only when the work queued ahead, not
// the request's own service, makes it miss the deadline.
func TestDeadlineFilter(t *testing.T) {
	c := Candidate{PoolView: PoolView{Name: "cpu", Curve: costmodel.Curve{Base: 10 * ms}}, Completion: 2 * time.Second}
	tests := []struct {
		name     string
		deadline time.Time
		refused  bool
	}{
		{"no deadline", time.Time{}, false},
		{"the queue makes it late", t0.Add(time.Second), true},
		{"late even idle: left to end at its deadline", t0.Add(5 * ms), false},
		{"on time", t0.Add(3 * time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DeadlineFilter{}.Reject(Facts{Model: "m", Rows: 1, Deadline: tt.deadline}, c, t0)
			if (got != "") != tt.refused {
				t.Errorf("Reject = %q, want refused %v", got, tt.refused)
			}
		})
	}
}
