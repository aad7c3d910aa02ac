package gateway

import (
	"math"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// price returns what rows inferences of model cost on pool, in USD, for
// chargeback: rows times the pool's cost per inference at the model's
// SLO, on the capacity curve learned from its batches, at full
// utilization (idle capacity is no one call's doing). A pool that cannot
// meet the SLO even with batches of one is priced at batches of one. It
// is 0 for an empty or unknown pool (an answer from the cache).
func (g *Gateway) price(pool, model string, rows int64) float64 {
	p := g.router.Pool(pool)
	if p == nil || rows <= 0 {
		return 0
	}
	m, _ := g.router.Model(model)
	return perInference(p.CostModel(), m.SLO) * float64(rows)
}

// perInference returns the USD one inference costs on p at slo when its
// replicas are always busy: the price of a replica-second over the
// throughput at slo, or over that of batches of one when no batch fits
// slo.
func perInference(p costmodel.Pool, slo time.Duration) float64 {
	perSecond := p.PricePerHour / 3600
	if thr := p.Throughput(slo); thr > 0 && !math.IsInf(thr, 1) {
		return perSecond / thr
	}
	return perSecond * p.MinLatency().Seconds()
}
