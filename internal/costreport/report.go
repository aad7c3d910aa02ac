package costreport

import (
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
)

// Pool is one pool as GET /admin/pools describes what it costs: its
// price, its bounds on batching, its SLO and its curves. Durations are
// nanoseconds in JSON.
type Pool struct {
	Name string `json:"name"`
	// PricePerHour is one replica's price, USD per hour.
	PricePerHour float64 `json:"price_per_hour"`
	Spot         bool    `json:"spot"`
	MaxBatch     int     `json:"max_batch"`
	// SLO is the pool's SLO: the smallest of the models its tiers serve
	// (configs.Config.PoolSLOs).
	SLO   time.Duration `json:"slo"`
	Curve Curves        `json:"curve"`
}

// Curves are a pool's capacity curves side by side.
type Curves struct {
	// Configured is the curve of the configuration; zero when the pool
	// has none, to be measured.
	Configured costmodel.Curve `json:"configured"`
	// Learned is the curve measured of the pool's batches so far (the
	// configured one before any); Models the one of each model it ran.
	Learned costmodel.Curve            `json:"learned"`
	Models  map[string]costmodel.Curve `json:"models,omitempty"`
}

// The names of a Row's curve.
const (
	CurveConfigured = "configured"
	CurveLearned    = "learned"
)

// Row is one pool priced with one of its curves.
type Row struct {
	costmodel.Quote
	// Curve names the curve priced: CurveConfigured or CurveLearned.
	Curve string
	// Line is that curve; zero when there is none (the quote is then
	// empty: nothing known is served).
	Line costmodel.Curve
}

// FromConfig prices each pool of cfg with its configured curve, at its
// SLO (configs.Config.PoolSLOs) or at slo when slo > 0, in the
// configuration's order. pre: cfg is validated.
func FromConfig(cfg *configs.Config, slo time.Duration) []Row {
	slos, fleet := cfg.PoolSLOs(), cfg.Fleet()
	rows := make([]Row, 0, len(fleet.Pools))
	for _, p := range fleet.Pools {
		rows = append(rows, quote(p, CurveConfigured, orSLO(slo, slos[p.Name])))
	}
	return rows
}

// FromPools prices each pool with its configured curve, then with its
// learned curve, at its SLO or at slo when slo > 0, in the order of pools.
func FromPools(pools []Pool, slo time.Duration) []Row {
	rows := make([]Row, 0, 2*len(pools))
	for _, p := range pools {
		cost := costmodel.Pool{Name: p.Name, PricePerHour: p.PricePerHour, Spot: p.Spot, MaxBatch: p.MaxBatch}
		s := orSLO(slo, p.SLO)
		cost.Curve = p.Curve.Configured
		rows = append(rows, quote(cost, CurveConfigured, s))
		cost.Curve = p.Curve.Learned
		rows = append(rows, quote(cost, CurveLearned, s))
	}
	return rows
}

// quote prices p with its curve, named curve, at slo: an empty quote for
// a pool without one.
func quote(p costmodel.Pool, curve string, slo time.Duration) Row {
	if p.Curve.IsZero() {
		return Row{Quote: costmodel.Quote{Pool: p.Name, Spot: p.Spot, PricePerHour: p.PricePerHour, SLO: slo}, Curve: curve}
	}
	return Row{Quote: p.Quote(slo), Curve: curve, Line: p.Curve}
}

func orSLO(override, own time.Duration) time.Duration {
	if override > 0 {
		return override
	}
	return own
}
