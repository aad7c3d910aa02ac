package sim

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHPAPoolsOwnMetric: each HPA scales its pool on that pool's rows
// only; a pool the router sends nothing to stays at its minReplicas.
func TestHPAPoolsOwnMetric(t *testing.T) {
	f := refFleet().withDefaults()
	p := newHPAPools(Setup{Fleet: &f}, 0.5, everyPool(&f))
	obs := &Observation{Window: time.Second, Pools: make([]PoolState, len(f.Pools))}
	p.Start(obs)
	const spot = 2 // 200 rows/s per replica: at 0.5, 100 rows/s each
	var got []int
	for sec := 1; sec <= 16; sec++ {
		obs.Now = time.Duration(sec) * time.Second
		obs.Pools[spot] = PoolState{Ready: 1, ArrivalRows: 300}
		got = p.Decide(obs).Replicas
	}
	want := []int{1, 1, 3, 1} // gpu-spot: 300 rows/s over 100 per replica
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replicas (-want +got):\n%s", diff)
	}
	single := newHPAPools(Setup{Fleet: &f}, 0.7, cheapestPool(&f, Heavy))
	if diff := cmp.Diff([]bool{false, false, true, false}, single.scaled); diff != "" {
		t.Errorf("cheapest GPU pool (-want +got):\n%s", diff)
	}
}

// TestKPADelayAndMinScale: with a scale-down delay the autoscaler keeps
// the most pods it wanted over the delay, where without one it follows
// its stable window down; min-scale holds the cheapest pool of each tier.
func TestKPADelayAndMinScale(t *testing.T) {
	f := refFleet().withDefaults()
	if diff := cmp.Diff([]int{1, 0, 2, 0}, newKPAWith(Setup{Fleet: &f}, 0, 2).floor); diff != "" {
		t.Errorf("minimums with min-scale 2 (-want +got):\n%s", diff)
	}
	const spot = 2 // a target of 0.7 × 32 rows per replica
	run := func(delay time.Duration) []int {
		p := newKPAWith(Setup{Fleet: &f}, delay, 0)
		obs := &Observation{Window: time.Second, Pools: make([]PoolState, len(f.Pools))}
		var got []int
		ready := 5
		for sec := 1; sec <= 240; sec++ {
			obs.Now = time.Duration(sec) * time.Second
			conc := 0.0
			if sec <= 70 { // 5 replicas' worth for over a stable window, then nothing
				conc = 5 * 22.4
			}
			obs.Pools[spot] = PoolState{Ready: ready, Concurrency: conc}
			n := p.Decide(obs).Replicas[spot]
			ready = n
			if sec == 100 || sec == 135 || sec == 240 {
				got = append(got, n)
			}
		}
		return got
	}
	// 30 s after the drop the stable window wants 3; 65 s after, none
	// (one replica for the grace period); long after, none.
	if diff := cmp.Diff([]int{3, 1, 0}, run(0)); diff != "" {
		t.Errorf("without delay (-want +got):\n%s", diff)
	}
	// A 60 s delay keeps the 5 of the load for 60 s after it ended, and
	// holds each halving step down for as long.
	if diff := cmp.Diff([]int{5, 5, 1}, run(time.Minute)); diff != "" {
		t.Errorf("with a 60 s delay (-want +got):\n%s", diff)
	}
}

// TestKEDAActivates: a pool at zero under KEDA on rate starts one replica
// when its tier's rows find no pool, then scales on its own rate.
func TestKEDAActivates(t *testing.T) {
	f := refFleet().withDefaults()
	mk, err := kedaRateFamily.New(Point{"target": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := mk(Setup{Fleet: &f})
	if err != nil {
		t.Fatal(err)
	}
	obs := &Observation{Window: time.Second, Pools: make([]PoolState, len(f.Pools))}
	if got := pol.Start(obs); got[3] != 0 {
		t.Fatalf("gpu-ondemand starts at %d, want 0", got[3])
	}
	const onDemand = 3
	var got []int
	for sec := 1; sec <= 100; sec++ {
		obs.Now = time.Duration(sec) * time.Second
		ps := PoolState{UnservedRows: 50}
		if sec > 30 { // ready, and its own rate
			ps = PoolState{Ready: 1, ArrivalRows: 400}
		}
		obs.Pools[onDemand] = ps
		if n := pol.Decide(obs).Replicas[onDemand]; len(got) == 0 || got[len(got)-1] != n {
			got = append(got, n)
		}
	}
	// Activated at the first poll; then the HPA follows the minute's rate
	// as it climbs from 50 to 400 rows/s, at 100 rows/s per replica.
	want := []int{1, 2, 3, 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gpu-ondemand replicas over time (-want +got):\n%s", diff)
	}
}
