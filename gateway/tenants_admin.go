package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/budget"
)

// KeyName returns the name of a key in the budgets (Key.Name): its
// tenant, a slash and the first twelve hex digits of its SHA-256, which
// say which key it is without saying the key.
func KeyName(tenant string, sha [sha256.Size]byte) string {
	return tenant + "/" + hex.EncodeToString(sha[:6])
}

// TenantView is one tenant as GET /admin/tenants shows it: its calls'
// counts and, when it has some, its budgets.
type TenantView struct {
	TenantCount
	// Downgraded counts the calls its budgets served downgraded: by the
	// cheapest pool ("soft") or the model's fallback ("fallback").
	Downgraded int64 `json:"downgraded"`
	// Budget is the tenant's budgets, spend and state; nil for a tenant
	// the configuration's tenants section does not list.
	Budget *budget.Report `json:"budget,omitempty"`
	// Keys are the budgets of the tenant's keys that have one of their
	// own, by Key.Name.
	Keys []budget.Report `json:"keys,omitempty"`
}

// tenantViews returns every tenant that called or has budgets, by name.
func (g *Gateway) tenantViews() map[string]TenantView {
	now := g.now()
	out := map[string]TenantView{}
	for name, c := range g.tenants.Snapshot() {
		out[name] = TenantView{TenantCount: c, Downgraded: c.Budget[BudgetSoft] + c.Budget[BudgetFallback]}
	}
	for _, r := range g.budgets.Tenants(now) {
		v := out[r.Name]
		v.Budget = &r
		out[r.Name] = v
	}
	for _, r := range g.budgets.Keys(now) {
		tenant, _, _ := strings.Cut(r.Name, "/")
		v := out[tenant]
		v.Keys = append(v.Keys, r)
		out[tenant] = v
	}
	return out
}

// The values of HeaderBudgetState, as TenantCount.Budget counts them.
var (
	BudgetSoft     = budget.Soft.String()
	BudgetFallback = budget.Fallback.String()
)

// budgetUpdate is the body of POST /admin/tenants/{name}/budget: the
// windows to change, in USD (0 uncaps a window); absent ones keep the
// budget in force.
type budgetUpdate struct {
	PerHour  *float64 `json:"per_hour"`
	PerDay   *float64 `json:"per_day"`
	PerMonth *float64 `json:"per_month"`
}

// apply returns b with u's windows changed.
func (u budgetUpdate) apply(b budget.Amounts) budget.Amounts {
	for w, v := range map[budget.Window]*float64{budget.Hour: u.PerHour, budget.Day: u.PerDay, budget.Month: u.PerMonth} {
		if v != nil {
			b[w] = *v
		}
	}
	return b
}

// setBudget serves POST /admin/tenants/{name}/budget.
func (g *Gateway) setBudget(w http.ResponseWriter, r *http.Request) {
	var u budgetUpdate
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("gateway: budget update: %v", err))
		return
	}
	name := chi.URLParam(r, "name")
	current, ok := g.budgets.Budget(name)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("gateway: %v %q: not under tenants in the configuration", budget.ErrUnknownTenant, name))
		return
	}
	next := u.apply(current)
	g.overrideBudget(w, r, name, &next)
}

// dropBudget serves DELETE /admin/tenants/{name}/budget.
func (g *Gateway) dropBudget(w http.ResponseWriter, r *http.Request) {
	g.overrideBudget(w, r, chi.URLParam(r, "name"), nil)
}

// overrideBudget sets the override of tenant name (nil removes it) and
// answers the tenant's view, or the error.
func (g *Gateway) overrideBudget(w http.ResponseWriter, r *http.Request, name string, b *budget.Amounts) {
	if err := g.budgets.Override(r.Context(), name, b); err != nil {
		writeError(w, overrideStatus(err), err.Error())
		return
	}
	if b != nil {
		g.log.Info("tenant budget overridden", slog.String("tenant", name), slog.Any("budget", *b))
	} else {
		g.log.Info("tenant budget back to the configuration's", slog.String("tenant", name))
	}
	writeJSON(w, http.StatusOK, g.tenantViews()[name])
}

// overrideStatus is the HTTP status of an error of budget.Book.Override.
func overrideStatus(err error) int {
	switch {
	case errors.Is(err, budget.ErrUnknownTenant):
		return http.StatusNotFound
	case errors.Is(err, budget.ErrBadAmount):
		return http.StatusBadRequest
	}
	return http.StatusServiceUnavailable // the store could not keep it
}
