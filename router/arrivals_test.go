package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/router"
)

// TestTierStats serves requests of several classes and sizes, some sent
// to another tier by a route, and checks each tier's counts, and that the
// pools' totals agree.
func TestTierStats(t *testing.T) {
	f := startTwoTiers(t)
	sends := []struct {
		rows int
		p    batcher.Priority
	}{{1, batcher.Low}, {3, batcher.Low}, {2, batcher.High}, {1, batcher.Normal}, {4, batcher.Normal}, {8, batcher.Critical}}
	for _, s := range sends {
		// Rows of two values: 4 rows or more have 8 elements and go heavy.
		req := &router.Request{Model: "sum", Req: sumRequest("", s.rows, 2), Priority: s.p}
		if _, err := f.router.Serve(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	want := []router.TierStats{
		{Name: "heavy", Requests: batcher.ClassCounts{Critical: 1, Normal: 1}, Rows: batcher.ClassCounts{Critical: 8, Normal: 4}},
		{Name: "light", Requests: batcher.ClassCounts{High: 1, Normal: 1, Low: 2}, Rows: batcher.ClassCounts{High: 2, Normal: 1, Low: 4}},
	}
	if diff := cmp.Diff(want, f.router.TierStats()); diff != "" {
		t.Errorf("TierStats (-want +got):\n%s", diff)
	}
	type totals struct{ Arrivals, Rows uint64 }
	var got []totals
	for _, s := range f.router.Stats() {
		got = append(got, totals{s.Arrivals, s.ArrivedRows})
	}
	if diff := cmp.Diff([]totals{{4, 7}, {2, 12}}, got); diff != "" {
		t.Errorf("pools a and b totals (-want +got):\n%s", diff)
	}
}

// startTwoTiers starts a fleet of two tiers, light on pool a and heavy on
// pool b, one worker each; sum requests of 8 elements or more go heavy.
func startTwoTiers(t *testing.T) *fleet {
	curve := costmodel.Curve{Base: ms}
	return startFleet(t, router.Config{
		Models: []router.Model{sumModel("light", time.Second)},
		Tiers:  map[string][]string{"light": {"a"}, "heavy": {"b"}},
		Routes: []router.Route{{Match: router.Match{MinElements: 8}, Tier: "heavy"}},
	}, pool{name: "a", curve: curve, maxBatch: 8, workers: 1}, pool{name: "b", curve: curve, maxBatch: 8, workers: 1})
}
