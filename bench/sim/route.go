package sim

import (
	"github.com/sluice-gateway/sluice/router"
)

// pricePool recomputes what the picker needs of p's price after a change:
// its cost per million of each kind at full load.
func (s *sim) pricePool(p *poolSim) {
	cm := p.spec.Pool
	cm.PricePerHour = p.price
	for k, kind := range s.fleet.Kinds {
		p.cpm[k] = cm.CostPerMillion(kind.SLO, 1)
	}
}

// pick asks the production picker for a pool for r among its tier's
// pools, leaving out those r was evacuated from and, for a retry, the
// one that failed it (unless no other can take it). It returns -1 when
// no pool can take r.
func (s *sim) pick(r *request) int {
	if i := s.pickAmong(r, r.skip|r.failedMask()); i >= 0 || r.failed < 0 {
		return i
	}
	return s.pickAmong(r, r.skip)
}

// pickAmong takes a snapshot of the pools of r's tier not in skip (a bit
// per pool index) and asks the picker; -1 when it finds none.
func (s *sim) pickAmong(r *request, skip uint64) int {
	kind := &s.fleet.Kinds[r.kind]
	facts := router.Facts{
		Model: kind.Model, Rows: kind.Rows, Priority: r.item.Priority,
		SLO: kind.SLO, Due: r.item.Due,
	}
	s.views, s.viewPools = s.views[:0], s.viewPools[:0]
	for _, i := range s.tiers[r.kind] {
		if skip&(1<<i) == 0 {
			s.views = append(s.views, s.view(s.pools[i], r))
			s.viewPools = append(s.viewPools, i)
		}
	}
	d, err := s.picker.Pick(s.views, facts, at(s.now))
	if err != nil || d.Index < 0 || d.Index >= len(s.viewPools) {
		return -1
	}
	return s.viewPools[d.Index]
}

// view is pool p as the router's snapshot shows it for r.
func (s *sim) view(p *poolSim, r *request) router.PoolView {
	thr := p.thr[r.kind]
	return router.PoolView{
		Name:           p.spec.Name,
		Ready:          p.ready,
		FreeSlots:      len(p.idle),
		Ahead:          p.ahead(r.item.Priority),
		InFlight:       p.inflight,
		MaxBatch:       p.spec.MaxBatch,
		BatchAt:        p.batchAt[r.kind],
		Throughput:     thr,
		CostPerMillion: p.cpm[r.kind],
		Curve:          p.spec.Curve,
	}
}

// viewConstants works out the parts of p's views that depend only on
// the fleet: per kind, the batch size the router runs within the SLO
// and the throughput of one replica at it.
func (s *sim) viewConstants(p *poolSim) {
	for k, kind := range s.fleet.Kinds {
		b := 1
		if form := p.form[k]; form.Batching {
			b = min(max(p.spec.BatchAt(kind.SLO), 1), form.MaxBatch)
		}
		p.batchAt[k] = b
		p.thr[k] = float64(b) / p.spec.Curve.Latency(b).Seconds()
	}
}
