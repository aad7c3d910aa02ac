package configs

import "github.com/sluice-gateway/sluice/costmodel"

// CostModel returns the pool as the cost model sees it: name, price, spot,
// curve, max batch and cold start. The returned Pool shares the curve's
// Points with p.
func (p Pool) CostModel() costmodel.Pool {
	return costmodel.Pool{
		Name:         p.Name,
		PricePerHour: p.PricePerHour,
		Spot:         p.Spot,
		Curve:        p.Curve,
		MaxBatch:     p.MaxBatch,
		ColdStart:    p.ColdStart,
	}
}
