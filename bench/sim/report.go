package sim

import (
	"math"
	"time"
)

// Report is the outcome of one run, as `sluice bench sim --json` prints
// it. Costs are in USD, latencies in milliseconds.
type Report struct {
	// Scenario and Policy name the run; Seed seeded it.
	Scenario string `json:"scenario"`
	Policy   string `json:"policy"`
	Seed     uint64 `json:"seed"`
	// DurationS is the trace's length in seconds; the run goes on after
	// it until every accepted request is finished.
	DurationS int `json:"duration_s"`
	// Requests is every request of the trace; each is served, rejected
	// or lost.
	Requests int64 `json:"requests"`
	// Served is the requests answered before their deadline.
	Served int64 `json:"served"`
	// Lost is the requests accepted and never answered; 0 unless the run
	// had to stop before they finished.
	Lost int64 `json:"lost"`
	// Rejected counts the failed requests by reason: shed (by the
	// policy's admission), no_capacity (no pool of the tier could take
	// it), queue_full, queue_timeout, timeout (deadline passed) and
	// backend (its batch failed and it could not be retried).
	Rejected map[string]int64 `json:"rejected"`
	// Retried counts the requests routed again after their replica was
	// lost mid-batch.
	Retried int64 `json:"retried"`
	// Interruptions counts the replicas lost to spot interruptions and
	// pool_down.
	Interruptions int `json:"interruptions"`
	// RefusedStarts counts the replica starts the budget cap refused
	// (Options.EnforceBudget); 0 without a cap.
	RefusedStarts int64 `json:"refused_starts,omitempty"`
	// CostUSD is the fleet's bill; CostPerMillionUSD the bill per million
	// served requests; MaxCostPerHourUSD the dearest fleet at any second.
	CostUSD           float64 `json:"cost_usd"`
	CostPerMillionUSD float64 `json:"cost_per_million_usd"`
	MaxCostPerHourUSD float64 `json:"max_cost_per_hour_usd"`
	// SLOAttainment is the share of requests answered within their SLO.
	SLOAttainment Attainment `json:"slo_attainment"`
	// LatencyMS is the latency of the served requests, arrival to answer.
	LatencyMS Latency `json:"latency_ms"`
	// ReplicaSeconds is the billed replica time per pool, minimums
	// included; CostByPoolUSD the bill per pool.
	ReplicaSeconds map[string]float64 `json:"replica_seconds"`
	CostByPoolUSD  map[string]float64 `json:"cost_by_pool_usd"`
}

// Attainment is the share of all requests of a kind or class answered
// within their SLO: a rejected, shed, timed-out or lost request counts as
// missed. A share over no request is 1.
type Attainment struct {
	All    float64 `json:"all"`
	Light  float64 `json:"light"`
	Heavy  float64 `json:"heavy"`
	High   float64 `json:"high"`
	Normal float64 `json:"normal"`
	Low    float64 `json:"low"`
}

// Latency holds percentiles in milliseconds; 0 when nothing was served.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// result closes the run's books and builds its result.
func (s *sim) result(opts Options) *Result {
	s.countLost()
	for _, p := range s.pools {
		s.stopAll(p)
	}
	st := s.st
	rep := Report{
		Scenario: opts.Trace.Name, Policy: opts.Policy, Seed: opts.Seed, DurationS: len(opts.Trace.Seconds),
		Served: st.served, Lost: st.lost, Rejected: st.rejected, Retried: st.retried,
		Interruptions: st.interruptions, RefusedStarts: st.refused, MaxCostPerHourUSD: round(s.maxRate, 4),
		SLOAttainment:  s.attainment(),
		LatencyMS:      Latency{P50: quantileMS(st, 50), P95: quantileMS(st, 95), P99: quantileMS(st, 99)},
		ReplicaSeconds: map[string]float64{}, CostByPoolUSD: map[string]float64{},
	}
	for k := range st.requests {
		for c := range st.requests[k] {
			rep.Requests += st.requests[k][c]
		}
	}
	for _, p := range s.pools {
		rep.CostUSD += p.cost
		rep.ReplicaSeconds[p.spec.Name] = round(p.repSeconds, 3)
		rep.CostByPoolUSD[p.spec.Name] = round(p.cost, 6)
	}
	if rep.Served > 0 {
		rep.CostPerMillionUSD = round(rep.CostUSD/float64(rep.Served)*1e6, 6)
	}
	rep.CostUSD = round(rep.CostUSD, 6)
	return &Result{Report: rep, Timeline: s.tl}
}

// attainment computes the report's SLO attainment.
func (s *sim) attainment() Attainment {
	all, both := []int{0, 1, 2, 3}, []int{Light, Heavy}
	c := func(p int) []int { return []int{p} }
	return Attainment{
		All:    round(s.st.attainment(both, all), 6),
		Light:  round(s.st.attainment(c(Light), all), 6),
		Heavy:  round(s.st.attainment(c(Heavy), all), 6),
		High:   round(s.st.attainment(both, c(1)), 6),
		Normal: round(s.st.attainment(both, c(2)), 6),
		Low:    round(s.st.attainment(both, c(3)), 6),
	}
}

// countLost counts the requests still queued or in flight as lost.
func (s *sim) countLost() {
	for _, p := range s.pools {
		for _, it := range p.q.Drain() {
			s.st.lose(it.Ref.(*request).kind, it.Priority)
		}
		for i := range p.reps {
			for _, it := range p.reps[i].batch {
				s.st.lose(it.Ref.(*request).kind, it.Priority)
			}
		}
	}
}

// stopAll stops every replica of p at the end of the run.
func (s *sim) stopAll(p *poolSim) {
	for i := range p.reps {
		if p.reps[i].state != repFree {
			s.stop(p, int32(i))
		}
	}
	p.bill(s.now)
}

// quantileMS returns the q-th percentile of the served latencies in ms.
func quantileMS(st *stats, q float64) float64 {
	if st.lat.TotalCount() == 0 {
		return 0
	}
	return round(float64(st.lat.ValueAtQuantile(q))/float64(time.Millisecond/time.Microsecond), 3)
}

// round rounds x to digits decimals.
func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
