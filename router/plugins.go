package router

import (
	"fmt"
	"math"
	"time"
)

// The filters and scorers of DefaultPicker. Each is a small value with
// no state; compile-time guards keep them honest.
var (
	_ Filter = ReadyFilter{}
	_ Filter = ServesFilter{}
	_ Filter = FitsFilter{}
	_ Filter = ReachableFilter{}
	_ Filter = OnTimeFilter{}
	_ Filter = DeadlineFilter{}
	_ Scorer = CostScorer{}
	_ Scorer = SpeedScorer{}
)

// DefaultPicker returns the router's rule: among the pools that have a
// ready worker, serve the request's model, take its rows and can meet
// its SLO when idle, the cheapest by USD per million inferences when
// fully used at the request's SLO (PoolView.CostPerMillion) whose
// predicted completion meets the request's due time; if none does, the
// one with the earliest predicted completion. A thrifty request
// (Facts.Thrifty: its tenant is past its budget's soft ratio) skips the
// wait for on-time pools: it goes to the cheapest of the pools that can
// meet its SLO idle, even when its queue makes the request late, rather
// than spill to a dearer one. Ties go to the earlier pool of the tier.
func DefaultPicker() Engine {
	return Engine{Profiles: []Profile{{
		Name:    "thrifty",
		When:    Thrifty,
		Filters: []Filter{ReadyFilter{}, ServesFilter{}, FitsFilter{}, ReachableFilter{}},
		Scorers: []Weighted{{CostScorer{}, 1}},
	}, {
		Name:    "cheapest-on-time",
		Filters: []Filter{ReadyFilter{}, ServesFilter{}, FitsFilter{}, ReachableFilter{}, OnTimeFilter{}},
		Scorers: []Weighted{{CostScorer{}, 1}},
	}, {
		Name:    "earliest",
		Filters: []Filter{ReadyFilter{}, ServesFilter{}, FitsFilter{}, ReachableFilter{}},
		Scorers: []Weighted{{SpeedScorer{}, 1}},
	}}}
}

// ReadyFilter drops pools without a ready worker.
type ReadyFilter struct{}

// Reject implements Filter.
func (ReadyFilter) Reject(_ Facts, c Candidate, _ time.Time) string {
	if c.Ready <= 0 {
		return "no ready worker"
	}
	return ""
}

// ServesFilter drops pools whose attached workers all said they do not
// serve the request's model (PoolView.Missing).
type ServesFilter struct{}

// Reject implements Filter.
func (ServesFilter) Reject(_ Facts, c Candidate, _ time.Time) string { return c.Missing }

// FitsFilter drops pools whose workers take fewer rows, or fewer bytes,
// than the request has.
type FitsFilter struct{}

// Reject implements Filter.
func (FitsFilter) Reject(f Facts, c Candidate, _ time.Time) string {
	if c.MaxBatch > 0 && f.Rows > int64(c.MaxBatch) {
		return fmt.Sprintf("%d rows exceed its max batch %d", f.Rows, c.MaxBatch)
	}
	if c.MaxBatchBytes > 0 && f.DataBytes > c.MaxBatchBytes {
		return fmt.Sprintf("%d bytes exceed its max batch bytes %d", f.DataBytes, c.MaxBatchBytes)
	}
	return ""
}

// ReachableFilter drops pools that cannot meet the request's SLO even
// when idle: a heavy request never goes where a batch of its own rows and
// bytes alone takes longer than its SLO (PoolView.Idle).
type ReachableFilter struct{}

// Reject implements Filter.
func (ReachableFilter) Reject(f Facts, c Candidate, _ time.Time) string {
	if f.SLO <= 0 {
		return ""
	}
	if idle := c.idle(f.Rows); idle > f.SLO {
		return fmt.Sprintf("idle latency %v for %d rows exceeds the SLO %v", idle, f.Rows, f.SLO)
	}
	return ""
}

// OnTimeFilter drops pools whose predicted completion falls after the
// request's due time.
type OnTimeFilter struct{}

// Reject implements Filter.
func (OnTimeFilter) Reject(f Facts, c Candidate, now time.Time) string {
	if f.Due.IsZero() {
		return ""
	}
	if left := f.Due.Sub(now); c.Completion > left {
		return fmt.Sprintf("predicted completion %v exceeds the %v left", c.Completion, max(left, 0))
	}
	return ""
}

// Thrifty reports whether a request is thrifty (Facts.Thrifty): the
// condition of DefaultPicker's first profile.
func Thrifty(f Facts) bool { return f.Thrifty }

// DeadlineFilter drops pools whose predicted completion falls after the
// request's deadline (Facts.Deadline) because of the work ahead of it:
// its answer would come too late to be of use, while an idle server
// elsewhere could still answer in time. A request that even an idle
// worker cannot answer before its deadline is not dropped: no server
// could, and it is answered at its deadline as any other.
//
// DefaultPicker does not use it: a prediction made from a curve learned
// while the machine was starved of CPU can be tens of times too long,
// and refusing on it fails calls that would have been answered in time.
type DeadlineFilter struct{}

// Reject implements Filter.
func (DeadlineFilter) Reject(f Facts, c Candidate, now time.Time) string {
	if f.Deadline.IsZero() {
		return ""
	}
	left := f.Deadline.Sub(now)
	if c.Completion > left && c.idle(f.Rows) <= left {
		return fmt.Sprintf("predicted completion %v exceeds the %v left before its deadline", c.Completion, max(left, 0))
	}
	return ""
}

// CostScorer scores the cheapest candidate 1 and each other one the ratio
// of the cheapest cost to its own, so free pools score 1 and unknown
// (infinite) costs score 0 unless every cost is unknown.
type CostScorer struct{}

// Score implements Scorer.
func (CostScorer) Score(_ Facts, cs []Candidate) []float64 {
	low := math.Inf(1)
	for _, c := range cs {
		low = min(low, c.CostPerMillion)
	}
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = ratio(low, c.CostPerMillion)
	}
	return out
}

// SpeedScorer scores the candidate with the earliest predicted completion
// 1 and each other one the ratio of the earliest to its own.
type SpeedScorer struct{}

// Score implements Scorer.
func (SpeedScorer) Score(_ Facts, cs []Candidate) []float64 {
	low := math.Inf(1)
	for _, c := range cs {
		low = min(low, float64(c.Completion))
	}
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = ratio(low, float64(c.Completion))
	}
	return out
}

// ratio returns best/v in [0, 1] for a lower-is-better value v whose
// best is best: 1 when v equals best (zero and infinite values included),
// 0 when v is infinite and best is not.
func ratio(best, v float64) float64 {
	switch {
	case v == best:
		return 1
	case math.IsInf(v, 1) || !(v > 0):
		return 0
	}
	return best / v
}
