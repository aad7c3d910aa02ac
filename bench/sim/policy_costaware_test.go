package sim

import (
	"testing"
)

// TestCostawarePriceEvents: a price event reaches the scaler as a reload
// reaches it in production. Once spot GPUs cost more per inference than
// on-demand ones, the fleet moves to the on-demand pool, and serves on
// spot while the on-demand GPUs start (the budget cut keeps the ready
// GPUs that carry the traffic over those starting).
func TestCostawarePriceEvents(t *testing.T) {
	f := refFleet()
	f.Pools[0].Min = 0
	f.SpotRate = -1
	tr := flatTrace("t", 600, 400, 1)
	events := []Event{{Second: 60, Kind: Price, Pool: "gpu-spot", Value: 6}}
	res, err := Run(Options{Fleet: f, Trace: tr, Events: events, Policy: "costaware", Scaler: refSpec(t, f), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	// After the event the spot GPUs cost 6 $/h against 3 $/h for the
	// same GPU on demand: within a few minutes the on-demand pool serves.
	spot, od := r.ReplicaSeconds["gpu-spot"], r.ReplicaSeconds["gpu-ondemand"]
	if od < 4*300 || spot > od/2 {
		t.Errorf("replica seconds: gpu-spot %.0f, gpu-ondemand %.0f; want the on-demand pool to take over", spot, od)
	}
	// Cutting the ready spot GPUs to fund the on-demand ones left the
	// traffic without a GPU for their 90 s cold start: 0.922.
	if all := r.SLOAttainment.All; all < 0.98 {
		t.Errorf("SLO attainment %.4f through the move, want >= 0.98", all)
	}
}
