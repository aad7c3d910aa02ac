package gateway

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/batcher"
)

// maxAdminBody bounds the body of an admin request, in bytes.
const maxAdminBody = 1 << 20

// AdmissionState is the admission's settings as the admin API shows and
// takes them.
type AdmissionState struct {
	// Shed is the shed level for all traffic.
	Shed batcher.ShedLevel `json:"shed"`
	// Fallback says, for each model with a configured fallback, whether
	// the fallback is on.
	Fallback map[string]bool `json:"fallback"`
}

// admissionUpdate is the body of POST /admin/admission: the settings to
// change; absent ones are kept.
type admissionUpdate struct {
	Shed     *batcher.ShedLevel `json:"shed"`
	Fallback map[string]bool    `json:"fallback"`
}

// RegisterAdmin adds the operator's endpoints to r, which should be served
// only to operators (the admin listener):
//
//	GET  /admin/admission  the AdmissionState
//	POST /admin/admission  change it: {"shed": "none|low|normal",
//	                       "fallback": {"model": true}}, either key
//	                       optional; answers the new state, or 400 and
//	                       {"error": "..."} changing nothing
//	GET  /admin/tenants    every tenant's TenantView (counts, budgets,
//	                       spend per window, remaining, state,
//	                       downgrades), by tenant
//	POST /admin/tenants/{name}/budget
//	                       change a listed tenant's budget at once and
//	                       keep it (Options.Budgets' store):
//	                       {"per_hour": 1, "per_day": 10, "per_month": 0},
//	                       any key optional (kept), 0 uncapping; answers
//	                       the TenantView, 404 for a tenant not listed,
//	                       400 for a bad amount, 503 when the store cannot
//	                       keep it (nothing changes)
//	DELETE /admin/tenants/{name}/budget
//	                       back to the configuration's budget
func (g *Gateway) RegisterAdmin(r chi.Router) {
	r.Get("/admin/admission", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, g.admissionState())
	})
	r.Post("/admin/admission", g.updateAdmission)
	r.Get("/admin/tenants", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, g.tenantViews())
	})
	r.Post("/admin/tenants/{name}/budget", g.setBudget)
	r.Delete("/admin/tenants/{name}/budget", g.dropBudget)
}

func (g *Gateway) admissionState() AdmissionState {
	return AdmissionState{Shed: g.admission.Shed(), Fallback: g.admission.Fallbacks()}
}

func (g *Gateway) updateAdmission(w http.ResponseWriter, r *http.Request) {
	var u admissionUpdate
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("gateway: admission update: %v", err))
		return
	}
	if err := g.applyAdmission(u); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g.log.Info("admission changed", slog.String("shed", g.admission.Shed().String()), slog.Any("fallback", g.admission.Fallbacks()))
	writeJSON(w, http.StatusOK, g.admissionState())
}

// applyAdmission checks every change of u, then makes them all.
func (g *Gateway) applyAdmission(u admissionUpdate) error {
	for m := range u.Fallback {
		if _, ok := g.admission.Fallback(m); !ok {
			return fmt.Errorf("%w for model %q", ErrNoFallback, m)
		}
	}
	for m, on := range u.Fallback {
		_ = g.admission.SetFallback(m, on) // cannot fail: checked above
	}
	if u.Shed != nil {
		g.admission.SetShed(*u.Shed)
	}
	return nil
}
