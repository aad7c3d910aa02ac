package router

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

// PoolView is a snapshot of one pool as the picker sees it for one
// request. It is a plain value: nothing in it reads the live pool.
type PoolView struct {
	Name string
	// Ready is the number of workers taking batches; FreeSlots how many of
	// their slots have no batch in flight.
	Ready, FreeSlots int
	// Ahead is the rows queued that the pool serves before the request:
	// those of its class and of more urgent ones, its class's counted even
	// when the class is standing (batcher.Queue.Standing) and serves each
	// tenant's newest first, since later arrivals then go first.
	// InFlight is the rows in batches sent and not yet answered. Rows are
	// the unit of Throughput and BatchAt.
	Ahead, InFlight int
	// Overtaking is the rows per second arriving in more urgent classes:
	// work that goes before the request while it waits.
	Overtaking float64
	// MaxBatch is the largest batch one worker takes, in rows; 0 means no
	// limit.
	MaxBatch int
	// MaxBatchBytes is the largest batch one worker takes, in bytes of
	// data (Facts.DataBytes); 0 means no limit.
	MaxBatchBytes int64
	// BatchAt is the batch size the pool runs for the request's model
	// within its SLO, at least 1.
	BatchAt int
	// Throughput is what one ready worker sustains in batches of BatchAt
	// on Curve, in inferences per second; +Inf for a curve where batches
	// take no time.
	Throughput float64
	// CostPerMillion is the pool's USD per million inferences when fully
	// used at the request's SLO, on Curve
	// (costmodel.Pool.CostPerMillion at utilization 1); +Inf when no batch
	// fits the SLO.
	CostPerMillion float64
	// Curve is the pool's capacity curve for the request's model as
	// learned so far, at the size the model's rows have had.
	Curve costmodel.Curve
	// Idle is the latency of the request alone on an idle worker, as
	// learned from batches of its model by rows and bytes: a large input
	// may take longer than Curve says of its rows, a small one less. 0
	// means Curve.Latency of the request's rows.
	Idle time.Duration
	// Missing says why the pool does not serve the request's model: its
	// workers said they do not. Empty when it does or may.
	Missing string
}

// idle returns the latency of a request of rows rows alone on an idle
// worker: Idle, or the curve's for rows when Idle is 0.
func (v PoolView) idle(rows int64) time.Duration {
	if v.Idle > 0 {
		return v.Idle
	}
	return v.Curve.Latency(int(min(rows, math.MaxInt32)))
}

// Completion predicts how long a request of rows rows takes on the pool,
// in three parts. First the wait for a worker to free up: none when a
// slot is free, else the mean time until the first of the busy workers
// ends its batch (of InFlight rows shared among them), a uniform
// residual. Then the batches of BatchAt rows that go before the
// request's own: the rows ahead of it and those overtaking it meanwhile,
// beyond what its own batch takes along, one batch per Curve.Latency(
// BatchAt) / Ready. Last the service of its batch, of max(rows,
// min(Ahead + rows, BatchAt)) rows, at least its idle latency (Idle).
// Rows ride along with the work ahead of them while a batch has room, so
// overtaking delays a request only by the whole batches it makes. The
// result saturates at math.MaxInt64 nanoseconds, as it does when the
// overtaking rows alone take the workers' whole throughput.
func (v PoolView) Completion(rows int64) time.Duration {
	b := int64(max(v.BatchAt, 1))
	service := max(v.Curve.Latency(int(min(max(rows, min(int64(v.Ahead)+rows, b)), math.MaxInt32))), v.Idle)
	if v.FreeSlots > 0 && v.Ahead == 0 {
		return service
	}
	spare := 1 - max(v.Overtaking, 0)/(float64(v.Ready)*v.Throughput)
	if v.Ready <= 0 || !(spare > 0) {
		return math.MaxInt64
	}
	free := v.freeIn()
	beyond := max(float64(int64(v.Ahead)+rows-b)+v.Overtaking*free.Seconds(), 0) / float64(b)
	batches := math.Ceil(beyond / spare)
	wait := saturatingAdd(free, seconds(batches*v.Curve.Latency(int(b)).Seconds()/float64(v.Ready)))
	return saturatingAdd(wait, service)
}

// freeIn returns the mean time until a worker takes a new batch: 0 with
// a free slot or nothing in flight; else, of the busy workers each
// running a batch of its share of InFlight, the mean time until the
// first one ends when each has a uniform part of its batch left,
// Latency / (busy + 1).
func (v PoolView) freeIn() time.Duration {
	busy := v.Ready - v.FreeSlots
	if v.FreeSlots > 0 || v.InFlight <= 0 || busy <= 0 {
		return 0
	}
	per := (v.InFlight + busy - 1) / busy
	return v.Curve.Latency(per) / time.Duration(busy+1)
}

// seconds converts s seconds to a Duration, saturating; NaN counts as 0.
func seconds(s float64) time.Duration {
	switch {
	case s >= math.MaxInt64/float64(time.Second):
		return math.MaxInt64
	case !(s > 0):
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

func saturatingAdd(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Candidate is a pool under consideration, with its predicted completion
// for the request.
type Candidate struct {
	PoolView
	Completion time.Duration
}

// Filter drops pools that must not serve a request.
type Filter interface {
	// Reject returns why c cannot serve the request, or "" to keep it.
	// now is the time of the decision.
	Reject(f Facts, c Candidate, now time.Time) string
}

// Scorer rates candidates for a request. Score returns one score per
// candidate, in order, each in [0, 1] (1 is best); the engine clamps
// anything outside, and counts NaN as 0. cs is the engine's, reused by
// the next pick: Score must not keep it.
type Scorer interface {
	Score(f Facts, cs []Candidate) []float64
}

// Weighted is a scorer and its weight in a profile's total.
type Weighted struct {
	Scorer Scorer
	Weight float64
}

// Profile is one way of choosing: the candidates that pass every filter
// are scored, and the highest total wins, the tier's order breaking ties.
type Profile struct {
	// Name is reported in Decision.Profile.
	Name string
	// When, if not nil, says which requests the profile decides; the
	// others skip it, and it gives them no reasons.
	When    func(Facts) bool
	Filters []Filter
	Scorers []Weighted
}

// Decision is the picker's choice.
type Decision struct {
	// Pool names the chosen pool; Index is its place in the snapshot.
	Pool  string
	Index int
	// Profile names the profile that chose it.
	Profile string
	// Completion is the pool's predicted completion for the request.
	Completion time.Duration
}

// Picker chooses a pool for a request from a snapshot of its tier, in the
// tier's order, at now. It must not read anything live, so that a
// simulator and a test get the decision production gets. It returns an
// error wrapping ErrNoCapacity, naming each pool's reason, when no pool
// can serve the request. views is the router's, reused by its next pick:
// Pick must not keep it.
type Picker interface {
	Pick(views []PoolView, f Facts, now time.Time) (Decision, error)
}

// Engine is a Picker that tries its profiles in order: the first under
// which some candidate passes every filter decides.
type Engine struct {
	Profiles []Profile
}

var _ Picker = Engine{}

// Pick implements Picker.
func (e Engine) Pick(views []PoolView, f Facts, now time.Time) (Decision, error) {
	s := pickScratches.Get().(*pickScratch)
	defer s.release()
	cs := s.cs[:0]
	for _, v := range views {
		cs = append(cs, Candidate{PoolView: v, Completion: v.Completion(f.Rows)})
	}
	s.cs = cs
	reasons := append(s.reasons[:0], make([]string, len(cs))...)
	s.reasons = reasons
	for _, p := range e.Profiles {
		if p.When != nil && !p.When(f) {
			continue
		}
		kept := p.filter(f, cs, now, reasons, s.kept[:0])
		s.kept = kept
		if len(kept) == 0 {
			continue
		}
		best := p.best(f, cs, kept, s)
		return Decision{Pool: cs[best].Name, Index: best, Profile: p.Name, Completion: cs[best].Completion}, nil
	}
	return Decision{}, noCapacity(f, views, reasons)
}

// pickScratch holds the working slices of one Pick, reused from pick to
// pick: a pick runs on every call.
type pickScratch struct {
	cs, sub []Candidate
	reasons []string
	kept    []int
	total   []float64
}

var pickScratches = sync.Pool{New: func() any { return new(pickScratch) }}

// release clears what s refers to and hands it back to the pool.
func (s *pickScratch) release() {
	clear(s.cs)
	clear(s.sub)
	clear(s.reasons)
	pickScratches.Put(s)
}

// filter appends to kept the indexes of the candidates that pass p's
// filters, recording the first reason of each rejected one that has none
// yet, and returns it.
func (p Profile) filter(f Facts, cs []Candidate, now time.Time, reasons []string, kept []int) []int {
	for i, c := range cs {
		if why := p.reject(f, c, now); why != "" {
			if reasons[i] == "" {
				reasons[i] = why
			}
			continue
		}
		kept = append(kept, i)
	}
	return kept
}

func (p Profile) reject(f Facts, c Candidate, now time.Time) string {
	for _, flt := range p.Filters {
		if why := flt.Reject(f, c, now); why != "" {
			return why
		}
	}
	return ""
}

// best returns the index of the kept candidate with the highest total
// score, the earliest in the tier on ties.
func (p Profile) best(f Facts, cs []Candidate, kept []int, s *pickScratch) int {
	sub := s.sub[:0]
	for _, i := range kept {
		sub = append(sub, cs[i])
	}
	total := append(s.total[:0], make([]float64, len(kept))...)
	s.sub, s.total = sub, total
	for _, w := range p.Scorers {
		for j, s := range w.Scorer.Score(f, sub) {
			if j < len(total) {
				total[j] += w.Weight * clamp01(s)
			}
		}
	}
	best := 0
	for j := range total {
		if total[j] > total[best] {
			best = j
		}
	}
	return kept[best]
}

// clamp01 puts s in [0, 1]; NaN becomes 0.
func clamp01(s float64) float64 {
	if !(s > 0) {
		return 0
	}
	return min(s, 1)
}

// noCapacity explains why no pool can serve the request.
func noCapacity(f Facts, views []PoolView, reasons []string) error {
	if len(views) == 0 {
		return fmt.Errorf("%w for model %q: no pool left to try", ErrNoCapacity, f.Model)
	}
	parts := make([]string, len(views))
	for i, v := range views {
		parts[i] = fmt.Sprintf("pool %q: %s", v.Name, reasons[i])
	}
	return fmt.Errorf("%w for model %q: %s", ErrNoCapacity, f.Model, strings.Join(parts, "; "))
}
