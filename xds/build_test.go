package xds

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// richView exercises every branch of Build: live, unhealthy and weighted
// endpoints, an empty pool, batched and pass-through models, weights set
// and unset, and a tier without healthy endpoints.
func richView() View {
	return View{
		Gateways: []Endpoint{
			{ID: "gw-1", HTTP: Address{"10.0.0.1", 8080}, GRPC: Address{"10.0.0.1", 8081}, Healthy: true},
		},
		Pools: []Pool{
			{Name: "gpu", MaxReplicas: 4, Concurrency: 32, Endpoints: []Endpoint{
				{ID: "gpu-1", HTTP: Address{"10.0.2.1", 9000}, GRPC: Address{"10.0.2.1", 9001}, Healthy: true},
			}},
			{Name: "cpu", MaxReplicas: 10, Concurrency: 1, Endpoints: []Endpoint{
				{ID: "cpu-2", HTTP: Address{"10.0.1.2", 9000}, GRPC: Address{"10.0.1.2", 9001}, Healthy: false},
				{ID: "cpu-1", HTTP: Address{"10.0.1.1", 9000}, GRPC: Address{"10.0.1.1", 9001}, Healthy: true, Weight: 3},
			}},
			{Name: "spare", MaxReplicas: 2},
		},
		Tiers: []Tier{
			{Name: "light", Pools: []string{"cpu", "gpu"}},
			{Name: "heavy", Pools: []string{"gpu"}},
			{Name: "idle", Pools: []string{"spare"}},
		},
		Models: []Model{
			{Name: "sum", Tier: "light", Batched: true, SLO: 500 * time.Millisecond, Timeout: 10 * time.Second},
			{Name: "echo", Tier: "light", SLO: 200 * time.Millisecond, Timeout: 30 * time.Second, Weights: map[string]uint32{"cpu": 1, "gpu": 3}},
			{Name: "embed", Tier: "heavy", SLO: time.Second, Timeout: 30 * time.Second},
		},
		Policy: Policy{HealthInterval: 2 * time.Second, HealthTimeout: time.Second, EjectAfter: 5, EjectFor: 30 * time.Second, RetryBudget: 0.25},
	}
}

func TestBuildGolden(t *testing.T) {
	for _, f := range Flavors {
		t.Run(f.String(), func(t *testing.T) {
			snap, err := Build(richView(), f, "1")
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			d, err := DumpOf(snap, f)
			if err != nil {
				t.Fatalf("DumpOf: %v", err)
			}
			got, err := MarshalDump(d)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "view."+f.String()+".golden"), got)
		})
	}
}

// checkGolden compares got with the golden file, or rewrites it with
// -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
