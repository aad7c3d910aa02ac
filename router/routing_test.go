package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestSpillsWhenTheCheapestWouldMissTheSLO sends light traffic, which
// stays on the cheap pool, then a burst: the cheap pool takes what its
// predicted wait lets it finish within the SLO, and the rest spills to
// the dear pool.
func TestSpillsWhenTheCheapestWouldMissTheSLO(t *testing.T) {
	// cheap: 50/s at 0.10 $/h, 0.56 $/M at full load; dear: 760/s at
	// 10 $/h, 3.6 $/M.
	cheap := pool{name: "cheap", price: 0.10, curve: costmodel.Curve{Base: 20 * ms}, maxBatch: 1, workers: 1}
	dear := pool{name: "dear", price: 10, curve: costmodel.Curve{Base: 5 * ms, PerItem: ms}, maxBatch: 16, workers: 2}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", 200*ms)},
		Tiers:  map[string][]string{"t": {"dear", "cheap"}},
	}, cheap, dear)

	for i := range 20 {
		res, err := f.serve(context.Background(), "sum", 1, nil)
		if err != nil {
			t.Fatalf("light request %d: %v", i, err)
		}
		if res.Pool != "cheap" {
			t.Fatalf("light request %d served by %s, want cheap", i, res.Pool)
		}
		checkSums(t, res, 1, 2)
	}

	const burst = 60
	served := map[string]int{}
	var first, last time.Time // when the first and the last request of the burst were sent
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{}) // the burst arrives at once, not as its goroutines start
	for range burst {
		wg.Go(func() {
			<-start
			sent := time.Now()
			res, err := f.serve(context.Background(), "sum", 1, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			served[res.Pool]++
			if first.IsZero() || sent.Before(first) {
				first = sent
			}
			if sent.After(last) {
				last = sent
			}
		})
	}
	close(start)
	wg.Wait()
	spread := last.Sub(first)
	t.Logf("burst of %d sent over %v: %v", burst, spread, served)
	// The cheap pool finishes about 9 requests within 200 ms of the
	// burst, plus one per 20 ms over which a starved machine spreads the
	// burst's sending; races between snapshots and enqueues may add a few.
	most := 10 + int(spread/(20*ms)) + 10
	if served["cheap"] < 3 || served["cheap"] > most {
		t.Errorf("cheap pool served %d of the burst, want about 9 and at most %d", served["cheap"], most)
	}
	if served["dear"] < burst-most {
		t.Errorf("dear pool served %d of the burst, want the spill, at least %d", served["dear"], burst-most)
	}
	checkStats(t, f.router.Stats(), served)
}

// checkStats checks that the statistics of the pools that served
// requests, by pool name, saw the traffic, and that every pool is idle.
func checkStats(t *testing.T, stats []router.PoolStats, served map[string]int) {
	t.Helper()
	for _, s := range stats {
		if served[s.Name] > 0 && (s.ArrivalRate <= 0 || s.Batch.Count == 0 || s.Latency.Count == 0) {
			t.Errorf("pool %s: stats saw no traffic: %+v", s.Name, s)
		}
		if s.Ready != s.Workers || s.Queued.Total() != 0 || s.InFlight != 0 {
			t.Errorf("pool %s: idle pool reports %+v", s.Name, s)
		}
		if s.Batch.P99 < s.Batch.P50 || s.Latency.P99 < s.Latency.P95 {
			t.Errorf("pool %s: percentiles out of order: %+v", s.Name, s)
		}
	}
}

// TestHeavyRequestsNeverLandOnCPU mixes heavy and light requests on a
// tier of a cheap CPU pool and a GPU pool: a heavy request takes longer
// than its SLO on an idle CPU worker, so it goes to the GPU however
// busy that is.
func TestHeavyRequestsNeverLandOnCPU(t *testing.T) {
	// 32 rows take 322 ms on a cpu worker, 52 ms on a gpu worker.
	cpu := pool{name: "cpu", price: 0.10, curve: costmodel.Curve{Base: 2 * ms, PerItem: 10 * ms}, maxBatch: 64, workers: 2}
	gpu := pool{name: "gpu", price: 5, curve: costmodel.Curve{Base: 20 * ms, PerItem: ms}, maxBatch: 64, workers: 1}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", 200*ms)},
		Tiers:  map[string][]string{"t": {"cpu", "gpu"}},
	}, cpu, gpu)
	var mu sync.Mutex
	served := map[int]map[string]int{}
	var wg sync.WaitGroup
	for i := range 60 {
		rows := 1
		if i%2 == 0 {
			rows = 32
		}
		wg.Go(func() {
			res, err := f.serve(context.Background(), "sum", rows, nil)
			if err != nil {
				t.Error(err)
				return
			}
			checkSums(t, res, rows, 2)
			mu.Lock()
			defer mu.Unlock()
			if served[rows] == nil {
				served[rows] = map[string]int{}
			}
			served[rows][res.Pool]++
		})
	}
	wg.Wait()
	t.Logf("pools by rows: %v", served)
	if n := served[32]["cpu"]; n > 0 {
		t.Errorf("%d heavy requests landed on the cpu pool", n)
	}
	if served[32]["gpu"] != 30 {
		t.Errorf("gpu served %d heavy requests, want 30", served[32]["gpu"])
	}
}

// TestRoutes sends requests through routes by input size and by a
// trusted header, to a tier the model's own does not include.
func TestRoutes(t *testing.T) {
	curve := costmodel.Curve{Base: 2 * ms, PerItem: 100 * time.Microsecond}
	cpu := pool{name: "cpu", price: 0.10, curve: curve, maxBatch: 64, workers: 1}
	gpu := pool{name: "gpu", price: 5, curve: curve, maxBatch: 64, workers: 1}
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("light", time.Second)},
		Tiers:  map[string][]string{"light": {"cpu"}, "heavy": {"gpu"}},
		Routes: []router.Route{
			{Match: router.Match{Model: "s*", MinElements: 64}, Tier: "heavy"},
			{Match: router.Match{Header: map[string]string{"x-sluice-tier": "gpu"}}, Tier: "heavy"},
		},
	}, cpu, gpu)
	gpuHeader := func(k string) string { return map[string]string{"x-sluice-tier": "gpu"}[k] }
	tests := []struct {
		name   string
		rows   int
		header func(string) string
		want   string
	}{
		{"small: the model's tier", 1, nil, "cpu"},
		{"64 elements: the heavy route", 32, nil, "gpu"},
		{"trusted header", 1, gpuHeader, "gpu"},
		{"header of an untrusted caller is not read", 1, nil, "cpu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.serve(context.Background(), "sum", tt.rows, tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if res.Pool != tt.want {
				t.Errorf("served by %s, want %s", res.Pool, tt.want)
			}
		})
	}
}
