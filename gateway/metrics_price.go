package gateway

// price returns what rows inferences of model cost on pool, in USD, for
// chargeback: the pool's costmodel.Pool.RequestCost at the model's SLO,
// on the capacity curve learned from its batches. It is 0 for rows <= 0
// and for an empty or unknown pool (an answer from the cache).
func (g *Gateway) price(pool, model string, rows int64) float64 {
	p := g.router.Pool(pool)
	if p == nil {
		return 0
	}
	m, _ := g.router.Model(model)
	return p.CostModel().RequestCost(m.SLO, rows)
}
