package status

import (
	"fmt"
	"time"
)

// Tenant is a tenant with a budget, as the status shows it.
type Tenant struct {
	Name string `json:"name"`
	// State is where its spend stands: "ok", "soft" (its calls go to the
	// cheapest pool), "fallback" (to their model's fallback) or
	// "exhausted" (refused).
	State string `json:"state"`
	// Windows are its capped windows, shortest first.
	Windows []TenantWindow `json:"windows"`
	// Downgraded counts its calls served by the cheapest pool or by their
	// model's fallback; Refused those its budget refused.
	Downgraded int64 `json:"downgraded"`
	Refused    int64 `json:"refused"`
}

// TenantWindow is a tenant's spend in one budget window.
type TenantWindow struct {
	// Name is the window: "per_hour", "per_day" or "per_month".
	Name string `json:"name"`
	// SpentUSD is what the tenant spent in the current window, BudgetUSD
	// its budget there; Resets when the window ends.
	SpentUSD  float64   `json:"spent_usd"`
	BudgetUSD float64   `json:"budget_usd"`
	Resets    time.Time `json:"resets"`
}

// fmtWindow formats a window's spend against its budget, with enough
// digits for a budget of cents or less: "per_hour 1.5e-05 of 2e-05 $".
func fmtWindow(w TenantWindow) string {
	return fmt.Sprintf("%s %.3g of %.3g $", w.Name, w.SpentUSD, w.BudgetUSD)
}

// tenantClass is the CSS class of a tenant's state: near while it is
// downgraded, over once refused.
func tenantClass(state string) string {
	switch state {
	case "soft", "fallback":
		return "near"
	case "exhausted":
		return "over"
	}
	return ""
}
