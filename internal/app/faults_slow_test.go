//go:build !race

// A 100 ms SLO is a timing claim: the race detector slows the gateway and
// its workers several times over, so this test runs in make test's second
// pass, without it.

package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/worker"
)

// Fault (b): the load and the bounds.
const (
	slowRate     = 100 // requests per second
	slowDuration = 4 * time.Second
	slowSLO      = 100 * time.Millisecond
	// slowEjectBound is how long after the start of the load the slow
	// worker must be out; slowRecovered the SLO attainment of the
	// requests due slowRecovery or more after the ejection, when the
	// queue it left behind has drained.
	slowEjectBound = 1500 * time.Millisecond
	slowRecovery   = 250 * time.Millisecond
	slowRecovered  = 0.99
)

// slowConfig is a pool of three workers whose batches take 10 ms + 2 ms
// per row, well within the 100 ms SLO (ten times slower, never); a batch
// over three times slower than the pool's typical pace counts against its
// worker, and three in a row eject it for a minute.
var slowConfig = fmt.Sprintf(`
models: [{name: sum, tier: t, slo: %v, timeout: 5s}]
tiers: [{name: t, pools: [cpu]}]
pools:
  - {name: cpu, curve: {base: 10ms, per_item: 2ms}, max_batch: 8, replicas: {min: 3, initial: 3, max: 3}}
health: {interval: 1h, eject_after: 3, eject_for: 1m, slow_factor: 3}
`, slowSLO)

// TestFaultSlowWorker is fault (b): one worker of three runs ten times
// slower than its pool's curve. It is ejected within slowEjectBound of
// the start of a steady load, serves nothing afterwards, and the
// requests sent from then on meet their SLO (at least slowRecovered of
// them, on the two healthy workers).
func TestFaultSlowWorker(t *testing.T) {
	f := startFaultFleet(t, slowConfig, map[string]worker.Options{"cpu-2": {Slowdown: 10}})
	sched, err := load.Constant(slowRate, slowDuration)
	if err != nil {
		t.Fatal(err)
	}
	slow := f.worker(t, "cpu-2")
	var ejectedAt time.Duration
	var servedThen int64
	start := time.Now()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		ejectedAt, servedThen = watchEjection(f, slow, start, slowDuration)
	}()
	var mu sync.Mutex
	outcomes := make([]load.Outcome, 0, len(sched.Offsets))
	send := load.SenderFunc(func(ctx context.Context, i int) error {
		a := f.post(ctx, "sum", faultSum(fmt.Sprint("s", i), 1+i%4))
		if a.status != http.StatusOK {
			return fmt.Errorf("status %d: %s", a.status, a.body)
		}
		return nil
	})
	load.RunEach(context.Background(), sched, send, load.Options{Timeout: 5 * time.Second}, func(o load.Outcome) {
		mu.Lock()
		outcomes = append(outcomes, o)
		mu.Unlock()
	})
	<-watched
	before, after := sloAttainment(outcomes, sched, ejectedAt, ejectedAt+slowRecovery)
	st, _ := slow.ModelStats("sum")
	t.Logf("slow worker ejected after %v, having served %d batches (%d in all); SLO attainment before %.1f%%, from %v after %.1f%%",
		ejectedAt, servedThen, st.Batches, 100*before, slowRecovery, 100*after)
	switch {
	case ejectedAt == 0:
		t.Fatalf("the slow worker was never ejected; it served %d batches", st.Batches)
	case ejectedAt > slowEjectBound:
		t.Errorf("the slow worker was ejected after %v, want within %v", ejectedAt, slowEjectBound)
	}
	if st.Batches != servedThen {
		t.Errorf("the slow worker served %d batches after its ejection", st.Batches-servedThen)
	}
	if after < slowRecovered {
		t.Errorf("SLO attainment from %v after the ejection %.2f%%, want >= %.0f%%; %d workers ready at the end; by due time:\n%s",
			slowRecovery, 100*after, 100*slowRecovered, f.router.Pool("cpu").Ready(), sloTimeline(outcomes, sched))
	}
}

// sloTimeline describes, per 250 ms of due time, how many requests met
// the SLO and the worst latency.
func sloTimeline(outcomes []load.Outcome, sched load.Schedule) string {
	const step = 250 * time.Millisecond
	n := make([]int, int(sched.Duration/step)+1)
	met := make([]int, len(n))
	worst := make([]time.Duration, len(n))
	for _, o := range outcomes {
		i := int(sched.Offsets[o.Index] / step)
		n[i]++
		if o.Err == nil && o.Latency <= slowSLO {
			met[i]++
		}
		worst[i] = max(worst[i], o.Latency)
	}
	var b strings.Builder
	for _, o := range outcomes {
		if o.Err != nil {
			fmt.Fprintf(&b, "  first failure: %v\n", o.Err)
			break
		}
	}
	for i := range n {
		fmt.Fprintf(&b, "  %v: %d of %d, worst %v\n", time.Duration(i)*step, met[i], n[i], worst[i].Round(time.Millisecond))
	}
	return b.String()
}

// watchEjection polls until the pool has two ready workers, and returns
// when that happened, from start, and how many batches slow had served
// by then; zero time if it did not happen within limit.
func watchEjection(f *faultFleet, slow *worker.Server, start time.Time, limit time.Duration) (time.Duration, int64) {
	for time.Since(start) < limit {
		if f.router.Pool("cpu").Ready() == 2 {
			st, _ := slow.ModelStats("sum")
			return time.Since(start), st.Batches
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, 0
}

// sloAttainment returns the share of the requests due before cut, and
// of those due from recovered on, that succeeded within slowSLO of
// their due time.
func sloAttainment(outcomes []load.Outcome, sched load.Schedule, cut, recovered time.Duration) (before, after float64) {
	var met, n [2]int
	for _, o := range outcomes {
		side := 0
		switch due := sched.Offsets[o.Index]; {
		case due >= recovered:
			side = 1
		case due >= cut:
			continue
		}
		n[side]++
		if o.Err == nil && o.Latency <= slowSLO {
			met[side]++
		}
	}
	share := func(i int) float64 {
		if n[i] == 0 {
			return 0
		}
		return float64(met[i]) / float64(n[i])
	}
	return share(0), share(1)
}
