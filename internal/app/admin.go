package app

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/router"
)

// poolStatus is one pool in GET /admin/pools.
type poolStatus struct {
	Name     string        `json:"name"`
	Ready    int           `json:"ready"`
	Starting int           `json:"starting"`
	Queue    batcher.Stats `json:"queue"`
	// PricePerHour is one replica's price, USD per hour.
	PricePerHour float64 `json:"price_per_hour"`
}

// adminHandler serves the operator's API on the admin listener, the
// gateway's admission and tenant counts, the scaler's plan, pins and
// metrics, and the status page included.
func adminHandler(rt *router.Router, driver poolDriver, gw *gateway.Gateway, sc *autoscaler, board *status.Board) http.Handler {
	r := chi.NewRouter()
	gw.RegisterAdmin(r)
	sc.registerAdmin(r)
	board.Register(r)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	r.Get("/admin/pools", func(w http.ResponseWriter, req *http.Request) {
		var out []poolStatus
		fleet := sc.fleet()
		for _, name := range rt.PoolNames() {
			p := rt.Pool(name)
			if p == nil {
				continue // removed by a reload meanwhile
			}
			ready, starting, err := driver.Replicas(req.Context(), name)
			if err != nil {
				writeAdminError(w, http.StatusBadGateway, err)
				return
			}
			cost, _ := fleet.Pool(name)
			out = append(out, poolStatus{
				Name: name, Ready: ready, Starting: starting, Queue: p.Stats(), PricePerHour: cost.PricePerHour,
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return r
}
