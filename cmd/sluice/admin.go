package main

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// poolStatus is one pool in GET /admin/pools.
type poolStatus struct {
	Name     string        `json:"name"`
	Ready    int           `json:"ready"`
	Starting int           `json:"starting"`
	Queue    batcher.Stats `json:"queue"`
}

// adminHandler serves the operator's API on the admin listener, the
// gateway's admission and tenant counts and the scaler's plan, pins and
// metrics included.
func adminHandler(rt *router.Router, sup *local.Supervisor, gw *gateway.Gateway, sc *scaling) http.Handler {
	r := chi.NewRouter()
	gw.RegisterAdmin(r)
	sc.registerAdmin(r)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	r.Get("/admin/pools", func(w http.ResponseWriter, _ *http.Request) {
		var out []poolStatus
		for _, name := range rt.PoolNames() {
			ready, starting := sup.Replicas(name)
			out = append(out, poolStatus{Name: name, Ready: ready, Starting: starting, Queue: rt.Pool(name).Stats()})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return r
}
