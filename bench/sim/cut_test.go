package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScenarioCut(t *testing.T) {
	sc := Scenario{Name: "s", Trace: flatTrace("s", 100, 10, 0), Events: []Event{
		{Second: 5, Kind: SpotInterrupt, Pool: "a", Value: 0.5},
		{Second: 10, Kind: PoolDown, Pool: "a"},
		{Second: 15, Kind: Price, Pool: "b", Value: 2},
		{Second: 40, Kind: PoolUp, Pool: "a"},
		{Second: 90, Kind: PoolDown, Pool: "b"},
	}}
	got := sc.Cut(20, 60)
	want := []Event{
		{Second: 0, Kind: PoolDown, Pool: "a"},
		{Second: 0, Kind: Price, Pool: "b", Value: 2},
		{Second: 20, Kind: PoolUp, Pool: "a"},
	}
	if len(got.Trace.Seconds) != 40 || got.Name != "s" {
		t.Errorf("cut of %d seconds named %q, want 40 named s", len(got.Trace.Seconds), got.Name)
	}
	if diff := cmp.Diff(want, got.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
