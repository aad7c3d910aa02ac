package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/costreport"
	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/router"
)

// poolStatus is one pool in GET /admin/pools: what it costs, with its
// configured and learned curves side by side, where its workers come
// from, how many are ready and starting, its queue and its restarts.
type poolStatus struct {
	costreport.Pool
	// Workers is the pool's kind: emulator, command, endpoints, dns or
	// deployment.
	Workers  configs.PoolKind `json:"workers"`
	Ready    int              `json:"ready"`
	Starting int              `json:"starting"`
	// Planned is false for a pool configured without a curve that the
	// scaler does not plan yet: its curve is still to be measured.
	Planned bool          `json:"planned"`
	Queue   batcher.Stats `json:"queue"`
	// Restarts counts the worker processes of the pool that exited or
	// failed to start unasked; 0 for a pool Sluice does not run.
	Restarts int `json:"restarts"`
}

// adminHandler serves the operator's API on the admin listener, the
// gateway's admission and tenant counts, the scaler's plan, pins and
// metrics, and the status page included.
func adminHandler(cur *current, rt *router.Router, w *workers, gw *gateway.Gateway, sc *autoscaler, board *status.Board) http.Handler {
	r := chi.NewRouter()
	gw.RegisterAdmin(r)
	sc.registerAdmin(r)
	board.Register(r)
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	r.Get("/admin/pools", func(rw http.ResponseWriter, req *http.Request) {
		out, err := poolStatuses(req.Context(), cur.load(), rt, w, sc)
		if err != nil {
			writeAdminError(rw, http.StatusBadGateway, err)
			return
		}
		writeAdminJSON(rw, http.StatusOK, out)
	})
	return r
}

// poolStatuses describes the router's pools, in the router's order, as
// what is in force prices them.
func poolStatuses(ctx context.Context, in *inForce, rt *router.Router, w *workers, sc *autoscaler) ([]poolStatus, error) {
	slos, planned := in.cfg.PoolSLOs(), map[string]bool{}
	for _, pc := range sc.pins.current() {
		planned[pc.Name] = true
	}
	out := []poolStatus{}
	for _, name := range rt.PoolNames() {
		p := rt.Pool(name)
		if p == nil {
			continue // removed by a reload meanwhile
		}
		ready, starting, err := w.Replicas(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("pool %q: replicas: %w", name, err)
		}
		cost, _ := in.fleet.Pool(name)
		stats := p.StatsAt(time.Now())
		out = append(out, poolStatus{
			Pool: costreport.Pool{
				Name: name, PricePerHour: cost.PricePerHour, Spot: cost.Spot, MaxBatch: cost.MaxBatch, SLO: slos[name],
				Curve: costreport.Curves{Configured: cost.Curve, Learned: stats.Curve, Models: stats.Models},
			},
			Workers: w.kind(name), Ready: ready, Starting: starting, Planned: planned[name],
			Queue: p.Stats(), Restarts: w.Restarts(name),
		})
	}
	return out, nil
}
