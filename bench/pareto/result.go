package pareto

import (
	"strconv"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// OracleFamily names the oracle's runs among a result's runs.
const OracleFamily = "oracle"

// Run is one configuration of a family on one scenario, over every seed:
// means over the seeds unless a field says otherwise.
type Run struct {
	Scenario string `json:"scenario"`
	Family   string `json:"family"`
	// Config holds the value of each knob; the oracle's runs have "cap".
	Config sim.Point `json:"config"`
	// Default marks the family's default configuration.
	Default bool     `json:"default"`
	Seeds   []uint64 `json:"seeds"`
	CostUSD float64  `json:"cost_usd"`
	// SLOAll and SLOHigh are the SLO attainment of all requests and of
	// high-priority ones.
	SLOAll  float64 `json:"slo_all"`
	SLOHigh float64 `json:"slo_high"`
	// Lost is the requests lost, summed over the seeds.
	Lost int64 `json:"lost"`
	// MaxUSDPerHour is the dearest fleet of any seed's run, against
	// BudgetUSDPerHour, the cap every run had (0: none).
	MaxUSDPerHour    float64 `json:"max_usd_per_hour"`
	BudgetUSDPerHour float64 `json:"budget_usd_per_hour"`
	// RefusedStarts is the replica starts the budget cap refused, summed
	// over the seeds.
	RefusedStarts int64 `json:"refused_starts"`
	// Spread is the lowest and highest value over the seeds.
	Spread Spread `json:"spread"`
	// Error is why a seed's run failed; the figures are then zero.
	Error string `json:"error,omitempty"`
	// label is Config as text, for reports.
	label string
}

// Spread is the range of a run's figures over its seeds, [lowest,
// highest].
type Spread struct {
	CostUSD [2]float64 `json:"cost_usd"`
	SLOAll  [2]float64 `json:"slo_all"`
}

// OverBudget reports whether some seed's fleet cost more per hour than
// the budget cap (which the cap allows only when prices rise under
// running replicas).
func (r Run) OverBudget() bool {
	return r.BudgetUSDPerHour > 0 && r.MaxUSDPerHour > r.BudgetUSDPerHour+1e-9
}

// Reaches reports whether r reaches SLO level: attainment of all requests
// at least level, of high-priority ones at least HighTarget, none lost,
// and no failed run.
func (r Run) Reaches(level float64) bool {
	return r.Error == "" && r.SLOAll >= level && r.SLOHigh >= HighTarget && r.Lost == 0
}

// Bounds bracket the cheapest cost of a scenario at each level.
type Bounds struct {
	// LowerUSD is sim.LowerBound: no run that serves nearly every request
	// costs less; nil when it could not be computed.
	LowerUSD *float64 `json:"lower_usd"`
	// OracleUSD is, per level (as text, e.g. "0.99"), the cost of
	// oracle@level, an upper bound on the cheapest policy reaching the
	// level; null when no cap reached it. OracleCap is the cap it ran at.
	OracleUSD map[string]*float64 `json:"oracle_usd"`
	OracleCap map[string]*float64 `json:"oracle_cap"`
}

// ScenarioBounds are one scenario's bounds.
type ScenarioBounds struct {
	Scenario string `json:"scenario"`
	Bounds   Bounds `json:"bounds"`
}

// Result is a sweep's outcome.
type Result struct {
	// Seeds, Levels and BudgetUSDPerHour are what every run had.
	Seeds            []uint64  `json:"seeds"`
	Levels           []float64 `json:"levels"`
	BudgetUSDPerHour float64   `json:"budget_usd_per_hour"`
	// Runs holds every configuration of every family on every scenario,
	// scenario by scenario in the order given, families in order, each
	// family's grid in order, then the oracle's runs by cap.
	Runs      []Run            `json:"runs"`
	Scenarios []ScenarioBounds `json:"scenarios"`
	// Families are the families swept, for the reports.
	Families []sim.Family `json:"-"`
}

// levelKey writes a level as the bounds' maps key it.
func levelKey(l float64) string { return strconv.FormatFloat(l, 'g', -1, 64) }

// aggregate summarizes the reports of one configuration's seeds.
func aggregate(r Run, reps []sim.Report, errs []error) Run {
	for _, err := range errs {
		if err != nil {
			r.Error = err.Error()
			return r
		}
	}
	n := float64(len(reps))
	r.Spread = Spread{CostUSD: [2]float64{reps[0].CostUSD, reps[0].CostUSD}, SLOAll: [2]float64{reps[0].SLOAttainment.All, reps[0].SLOAttainment.All}}
	for _, rep := range reps {
		r.CostUSD += rep.CostUSD / n
		r.SLOAll += rep.SLOAttainment.All / n
		r.SLOHigh += rep.SLOAttainment.High / n
		r.Lost += rep.Lost
		r.RefusedStarts += rep.RefusedStarts
		r.MaxUSDPerHour = max(r.MaxUSDPerHour, rep.MaxCostPerHourUSD)
		r.Spread.CostUSD = [2]float64{min(r.Spread.CostUSD[0], rep.CostUSD), max(r.Spread.CostUSD[1], rep.CostUSD)}
		r.Spread.SLOAll = [2]float64{min(r.Spread.SLOAll[0], rep.SLOAttainment.All), max(r.Spread.SLOAll[1], rep.SLOAttainment.All)}
	}
	r.CostUSD, r.SLOAll, r.SLOHigh = round(r.CostUSD), round(r.SLOAll), round(r.SLOHigh)
	return r
}
