package status

import (
	"flag"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sluice-gateway/sluice/costmodel"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// twoPools is the layout of a tier t of two pools: cpu (0.10 $/h, 1 to 4
// replicas) and gpu (1.20 $/h, up to 2), both at a 500 ms SLO.
func twoPools(dryRun bool) Layout {
	return Layout{
		Fleet: costmodel.Fleet{
			Pools: []costmodel.Pool{{Name: "cpu", PricePerHour: 0.1}, {Name: "gpu", PricePerHour: 1.2}},
			Bounds: map[string]costmodel.Bounds{
				"cpu": {Min: 1, Initial: 2, Max: 4}, "gpu": {Initial: 1, Max: 2},
			},
		},
		SLOs:   map[string]time.Duration{"cpu": 500 * time.Millisecond, "gpu": 500 * time.Millisecond},
		DryRun: dryRun,
	}
}
