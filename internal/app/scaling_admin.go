package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-gateway/sluice/internal/status"
	"github.com/sluice-gateway/sluice/scaler"
)

// maxPinBody bounds the body of a pin request, in bytes.
const maxPinBody = 4 << 10

// planView is GET /admin/plan: the current plan.
type planView struct {
	At     time.Time `json:"at"`
	DryRun bool      `json:"dry_run"`
	// USDPerHour is the planned fleet's price, of which
	// HeadroomUSDPerHour keeps the tiers' burst headroom.
	USDPerHour         float64             `json:"usd_per_hour"`
	HeadroomUSDPerHour float64             `json:"headroom_usd_per_hour"`
	Pools              []poolPlanView      `json:"pools"`
	Tiers              []status.TierView   `json:"tiers"`
	Changes            []status.ChangeView `json:"changes"`
	Events             []string            `json:"events"`
	Pins               map[string]poolPin  `json:"pins"`
}

// poolPlanView is one pool of the plan, with its replicas now.
type poolPlanView struct {
	Name    string `json:"name"`
	Desired int    `json:"desired"`
	// Ready and Starting are the driver's counts at the request.
	Ready    int `json:"ready"`
	Starting int `json:"starting"`
	// Min and Max are the bounds the scaler plans within now, pins and
	// the startup minimum included.
	Min int `json:"min"`
	Max int `json:"max"`
	// USDPerHour is the price of the desired replicas.
	USDPerHour float64 `json:"usd_per_hour"`
}

// registerAdmin adds the scaler's endpoints to r:
//
//	GET    /admin/plan              the current plan (503 before the first)
//	GET    /admin/decisions         the last decisions, oldest first;
//	                                ?changed=true keeps those that changed
//	                                a size, noticed an event or failed
//	POST   /admin/pools/{pool}/pin  {"min": N, "max": M}, either optional
//	                                or null: plan within these bounds
//	                                instead of the configured ones
//	DELETE /admin/pools/{pool}/pin  back to the configured bounds
//	GET    /metrics                 Prometheus metrics
func (s *autoscaler) registerAdmin(r chi.Router) {
	r.Get("/admin/plan", s.getPlan)
	r.Get("/admin/decisions", s.getDecisions)
	r.Post("/admin/pools/{pool}/pin", s.postPin)
	r.Delete("/admin/pools/{pool}/pin", s.deletePin)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{}))
}

func (s *autoscaler) getPlan(w http.ResponseWriter, r *http.Request) {
	plan, ok := s.loop.Plan()
	if !ok {
		writeAdminError(w, http.StatusServiceUnavailable, scaler.ErrNoPlan)
		return
	}
	v := planView{
		At: plan.At, DryRun: s.dryRun, USDPerHour: plan.CostPerHour, HeadroomUSDPerHour: plan.HeadroomCostPerHour,
		Changes: changeViews(plan.Changes), Events: eventTexts(plan.Events), Pins: map[string]poolPin{},
	}
	for _, pc := range s.pins.current() {
		pv := poolPlanView{Name: pc.Name, Desired: plan.Replicas[pc.Name], Min: pc.Min, Max: pc.Max}
		pv.USDPerHour = pc.CostPerHour(pv.Desired)
		var err error
		if pv.Ready, pv.Starting, err = s.driver.Replicas(r.Context(), pc.Name); err != nil {
			writeAdminError(w, http.StatusBadGateway, fmt.Errorf("pool %q: replicas: %w", pc.Name, err))
			return
		}
		v.Pools = append(v.Pools, pv)
		if b, _ := s.pins.bounds(pc.Name); !b.Pin.empty() {
			v.Pins[pc.Name] = b.Pin
		}
	}
	v.Tiers = tierViews(plan.Tiers)
	writeAdminJSON(w, http.StatusOK, v)
}

func (s *autoscaler) getDecisions(w http.ResponseWriter, r *http.Request) {
	changed := r.URL.Query().Get("changed") == "true"
	out := []status.DecisionView{}
	for _, d := range s.loop.History() {
		if changed && len(d.Plan.Changes) == 0 && len(d.Plan.Events) == 0 && d.Err == nil {
			continue
		}
		out = append(out, decisionViewOf(d))
	}
	writeAdminJSON(w, http.StatusOK, out)
}

func (s *autoscaler) postPin(w http.ResponseWriter, r *http.Request) {
	var pp poolPin
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPinBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pp); err != nil {
		writeAdminError(w, http.StatusBadRequest, fmt.Errorf("sluice: pin: %w", err))
		return
	}
	s.applyPin(w, chi.URLParam(r, "pool"), pp)
}

func (s *autoscaler) deletePin(w http.ResponseWriter, r *http.Request) {
	s.applyPin(w, chi.URLParam(r, "pool"), poolPin{})
}

// pinView is the answer to a pin request: the pool's bounds now.
type pinView struct {
	Pool   string  `json:"pool"`
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Pinned poolPin `json:"pinned"`
}

func (s *autoscaler) applyPin(w http.ResponseWriter, pool string, pp poolPin) {
	b, err := s.pins.pin(pool, pp)
	switch {
	case errors.Is(err, errUnknownPool):
		writeAdminError(w, http.StatusNotFound, err)
		return
	case err != nil:
		writeAdminError(w, http.StatusBadRequest, err)
		return
	}
	s.log.Info("scaler: pool bounds pinned", "pool", pool, "min", b.Min, "max", b.Max, "pinned", !b.Pin.empty())
	writeAdminJSON(w, http.StatusOK, pinView{Pool: pool, Min: b.Min, Max: b.Max, Pinned: b.Pin})
}

// decisionViewOf is d as GET /admin/decisions and the status show it.
func decisionViewOf(d scaler.Decision) status.DecisionView {
	dv := status.DecisionView{
		At: d.At, DryRun: d.DryRun, Replicas: d.Plan.Replicas, USDPerHour: d.Plan.CostPerHour,
		Changes: changeViews(d.Plan.Changes), Events: eventTexts(d.Plan.Events),
	}
	if d.Err != nil {
		dv.Error = d.Err.Error()
	}
	return dv
}

func changeViews(cs []scaler.Change) []status.ChangeView {
	out := make([]status.ChangeView, len(cs))
	for i, c := range cs {
		out[i] = status.ChangeView{Pool: c.Pool, From: c.From, To: c.To, Reason: c.Reason, USDPerHour: c.CostPerHour, Text: c.String()}
	}
	return out
}

func eventTexts(es []scaler.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.String()
	}
	return out
}

// tierViews returns the tiers' directives, sorted by name.
func tierViews(tiers map[string]scaler.TierPlan) []status.TierView {
	out := make([]status.TierView, 0, len(tiers))
	for name, tp := range tiers {
		out = append(out, status.TierView{
			Name: name, Demand: tp.Demand, Capacity: tp.Capacity, Headroom: tp.Headroom, Panic: tp.Panic,
			Shed: tp.Shed.String(), Fallback: tp.Fallback,
		})
	}
	slices.SortFunc(out, func(a, b status.TierView) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// writeAdminJSON answers v as JSON with status.
func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAdminError answers {"error": "..."} with status.
func writeAdminError(w http.ResponseWriter, status int, err error) {
	writeAdminJSON(w, status, map[string]string{"error": err.Error()})
}
