package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

// Defaults of a Fleet's zero fields that the configuration does not set;
// the fields it sets (Interval, RetryWindow, each Kind's Timeout) have
// none here and are required.
const (
	// DefaultSpotRate is how often a spot replica is interrupted at random:
	// 5 % per replica-hour.
	DefaultSpotRate = 0.05
	// DefaultMinBilling is the least time a started replica is billed.
	DefaultMinBilling = time.Minute
)

// maxPools is the most pools a fleet may have: a request keeps the pools
// it was evacuated from as bits of a uint64.
const maxPools = 64

// Pool is one pool of the simulated fleet: what the cost model knows of
// it and how far it may scale.
type Pool struct {
	costmodel.Pool
	// Min and Max bound the replicas every policy may ask for:
	// 0 <= Min <= Max, and Max >= 1.
	Min, Max int
}

// Kind is one kind of request of a trace, light or heavy: the model it is
// for, the pools that may serve it, and its latency targets.
type Kind struct {
	// Model names the model; it is the batcher item's Model and selects
	// the batch forming of the model on each pool.
	Model string
	// Tier names the tier of Pools, as the scaler knows it.
	Tier string
	// Pools names the pools that may serve the kind (its tier), in the
	// order of preference the router breaks ties with; at least one.
	Pools []string
	// SLO is the end-to-end latency target; > 0.
	SLO time.Duration
	// Timeout is the deadline counted from arrival; > 0, required (the
	// model's timeout). A request still unanswered then is a timeout.
	Timeout time.Duration
	// Rows is what one request weighs in a batch; below 1 counts as 1.
	Rows int64
	// MaxBatch caps the rows of one batch of the kind's model; 0 means
	// each pool's MaxBatch.
	MaxBatch int
	// NoBatching forwards the kind's requests one by one.
	NoBatching bool
}

// The kinds of request, as indexes of Fleet.Kinds.
const (
	Light = 0
	Heavy = 1
)

// kindNames names the kinds in reports.
var kindNames = [2]string{"light", "heavy"}

// Fleet is everything the simulator knows of the system under test. It is
// a plain value; Run only reads it.
type Fleet struct {
	// Pools are the pools, in the order reports list them; 1 to 64 of
	// them, names unique.
	Pools []Pool
	// Kinds holds the light and the heavy kind of request, at Light and
	// Heavy.
	Kinds [2]Kind
	// Limits bounds each priority class of every pool's queue; nil means
	// unbounded.
	Limits map[batcher.Priority]batcher.ClassLimits
	// Interval is the time between two policy decisions; > 0, required
	// (the configuration's scaler.interval).
	Interval time.Duration
	// BudgetPerHour is the ceiling of the fleet's price in USD per hour
	// that cost-aware policies keep under; 0 means none.
	BudgetPerHour float64
	// SpotRate is the random interruptions per spot replica-hour; 0 means
	// DefaultSpotRate, negative means none.
	SpotRate float64
	// MinBilling is the least time a started replica is billed; 0 means
	// DefaultMinBilling.
	MinBilling time.Duration
	// RetryBudget is the largest share of requests that may be retried
	// after a replica failed their batch, over RetryWindow; 0 means none
	// may.
	RetryBudget float64
	// RetryWindow is the sliding window of the retry budget, as the
	// router's (the configuration's retry.window); > 0, required when
	// RetryBudget is set.
	RetryWindow time.Duration
}

// withDefaults returns f with its zero fields defaulted.
func (f Fleet) withDefaults() Fleet {
	if f.SpotRate == 0 {
		f.SpotRate = DefaultSpotRate
	}
	f.SpotRate = max(f.SpotRate, 0)
	if f.MinBilling <= 0 {
		f.MinBilling = DefaultMinBilling
	}
	for i := range f.Kinds {
		f.Kinds[i].Rows = max(f.Kinds[i].Rows, 1)
	}
	return f
}

// PoolIndex returns the index of the named pool, or -1.
func (f *Fleet) PoolIndex(name string) int {
	for i, p := range f.Pools {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// validate checks that Run can simulate f. pre: f has its defaults.
func (f *Fleet) validate() error {
	if len(f.Pools) == 0 || len(f.Pools) > maxPools {
		return fmt.Errorf("%w: %d pools, want 1 to %d", ErrFleet, len(f.Pools), maxPools)
	}
	if f.Interval <= 0 {
		return fmt.Errorf("%w: interval %v, want > 0", ErrFleet, f.Interval)
	}
	if f.RetryBudget > 0 && f.RetryWindow <= 0 {
		return fmt.Errorf("%w: retry window %v, want > 0 with a retry budget", ErrFleet, f.RetryWindow)
	}
	for i, p := range f.Pools {
		if err := f.validatePool(i, p); err != nil {
			return err
		}
	}
	for k, kind := range f.Kinds {
		if err := f.validateKind(k, kind); err != nil {
			return err
		}
	}
	return nil
}

// validatePool checks pool i.
func (f *Fleet) validatePool(i int, p Pool) error {
	switch {
	case p.Name == "":
		return fmt.Errorf("%w: pool %d has no name", ErrFleet, i)
	case f.PoolIndex(p.Name) != i:
		return fmt.Errorf("%w: pool %q listed twice", ErrFleet, p.Name)
	case p.Min < 0 || p.Max < 1 || p.Min > p.Max:
		return fmt.Errorf("%w: pool %q: replicas min %d, max %d: want 0 <= min <= max, max >= 1", ErrFleet, p.Name, p.Min, p.Max)
	case !(p.PricePerHour >= 0) || math.IsInf(p.PricePerHour, 1):
		return fmt.Errorf("%w: pool %q: price %v per hour", ErrFleet, p.Name, p.PricePerHour)
	case p.MinLatency() <= 0:
		return fmt.Errorf("%w: pool %q: a batch takes no time", ErrFleet, p.Name)
	}
	return nil
}

// validateKind checks kind k.
func (f *Fleet) validateKind(k int, kind Kind) error {
	if kind.SLO <= 0 || kind.Timeout <= 0 {
		return fmt.Errorf("%w: %s requests: SLO %v and timeout %v, want both > 0", ErrFleet, kindNames[k], kind.SLO, kind.Timeout)
	}
	if len(kind.Pools) == 0 {
		return fmt.Errorf("%w: %s requests (model %q): no pools", ErrFleet, kindNames[k], kind.Model)
	}
	for _, name := range kind.Pools {
		if f.PoolIndex(name) < 0 {
			return fmt.Errorf("%w: %s requests (model %q): pool %q", ErrUnknownPool, kindNames[k], kind.Model, name)
		}
	}
	return nil
}

// serves reports whether pool i may serve kind k.
func (f *Fleet) serves(i, k int) bool {
	for _, name := range f.Kinds[k].Pools {
		if name == f.Pools[i].Name {
			return true
		}
	}
	return false
}

// formConfig returns how pool i forms batches of kind k.
func (f *Fleet) formConfig(i, k int) batcher.FormConfig {
	p, kind := f.Pools[i], f.Kinds[k]
	maxBatch := max(p.MaxBatch, 1)
	if kind.MaxBatch > 0 {
		maxBatch = min(maxBatch, kind.MaxBatch)
	}
	return batcher.FormConfig{
		MaxBatch: maxBatch,
		Batching: !kind.NoBatching,
		MaxDelay: batcher.DefaultMaxDelay,
		Curve:    p.Curve,
	}
}

// capacity returns the rows per second one replica of pool i sustains for
// kind k at its SLO; 0 when the pool does not serve the kind or cannot
// meet the SLO.
func (f *Fleet) capacity(i, k int) float64 {
	if !f.serves(i, k) {
		return 0
	}
	p, form := f.Pools[i].Pool, f.formConfig(i, k)
	p.MaxBatch = form.MaxBatch
	if !form.Batching {
		p.MaxBatch = 1
	}
	return p.Throughput(f.Kinds[k].SLO)
}
