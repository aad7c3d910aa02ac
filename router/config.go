package router

import (
	"crypto/tls"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/costmodel"
)

const (
	// DefaultStatsWindow is the sliding window of PoolStats, used where
	// Config.StatsWindow is 0. It is the router's own: the configuration
	// has no such key.
	DefaultStatsWindow = 10 * time.Second
	// maxEjectDoublings caps the back-off of a worker ejected again and
	// again at EjectFor × 2⁶.
	maxEjectDoublings = 6
)

// Model is what the router knows of a model.
type Model struct {
	// Name is the model's name in requests and on the workers.
	Name string
	// Tier names the ordered pools that serve the model when no route
	// matches its request.
	Tier string
	// Timeout bounds every request of the model: its deadline is at
	// most its arrival plus Timeout (see Serve). 0 (or less) means none:
	// the request's deadline is then the caller's or the context's, if
	// any.
	Timeout time.Duration
	// SLO is the end-to-end latency target, counted from the request's
	// arrival. It bounds queueing (Due) and rules out the pools that
	// cannot meet it even idle; it never fails a request.
	SLO time.Duration
	// Batching allows merging the model's requests.
	Batching bool
	// MaxBatch caps the rows of one batch; 0 means the pool's limit.
	MaxBatch int
	// Fallback names a model served instead when no pool of this model's
	// tier can take a request and the cache has no answer; empty means
	// none. Only one hop is taken: the fallback's own fallback is not.
	Fallback string
	// Cache opts the model into the response cache; the zero value (mode
	// CacheOff) keeps it out.
	Cache ModelCache
}

// CacheMode says when a model's requests are answered from the cache.
type CacheMode int

const (
	// CacheOff never caches the model's answers.
	CacheOff CacheMode = iota
	// CacheFallback stores every answer but serves from the cache only
	// when no pool of the tier can take the request.
	CacheFallback
	// CacheAlways serves from the cache whenever it holds a fresh answer.
	CacheAlways
)

// ModelCache opts a model into the response cache.
type ModelCache struct {
	Mode CacheMode
	// TTL is how long an answer stays fresh; <= 0 turns caching off.
	TTL time.Duration
}

// PoolConfig describes one pool to the router.
type PoolConfig struct {
	// Name names the pool in tiers, errors and stats.
	Name string
	// Queue configures the pool's batcher. A nil Queue.Clock means the
	// router's clock.
	Queue batcher.PoolConfig
	// Slots is how many batches one worker is given at a time; default 1,
	// which lets batches grow while the worker is busy.
	Slots int
	// Cost is the pool's price and capacity curve, the prior of the curve
	// the router learns from observed batches. A zero Cost.Curve means
	// Queue.Form.Curve, a zero Cost.MaxBatch means Queue.Form.MaxBatch.
	// A zero price makes the pool free: among feasible pools of equal
	// price the tier's order decides.
	Cost costmodel.Pool
	// Activate marks a pool whose driver starts workers on demand, from
	// none included: when no pool of a tier can take a request, Serve
	// holds it in the queue of such a pool that has no ready worker until
	// one attaches (see the package documentation, "Scale from zero").
	// False, the default, makes a pool without ready workers unavailable.
	Activate bool
}

// Route sends the requests it matches to a tier. The first route that
// matches wins; a request no route matches goes to its model's tier.
type Route struct {
	Match Match
	// Tier names the tier the matched requests go to.
	Tier string
}

// Match holds the conditions of a route; every condition set must hold,
// and the zero Match matches every request.
type Match struct {
	// Model is a model name or a path.Match glob ("llm-*"); empty matches
	// any.
	Model string
	// MinElements matches requests whose inputs hold at least this many
	// elements in all; 0 matches any.
	MinElements int64
	// MinBytes matches requests whose input data takes at least this many
	// bytes in all; 0 matches any.
	MinBytes int64
	// Priority matches one class; nil matches any.
	Priority *batcher.Priority
	// Header matches the exact values of request headers, keys in lower
	// case. A request without trusted headers (Request.Header nil) never
	// matches a route that sets Header.
	Header map[string]string
}

// HealthConfig configures active health checks and passive ejection. The
// zero value turns both off. It has no defaults of its own: serve passes
// the configuration's health section.
type HealthConfig struct {
	// Interval between two active checks of each worker; 0 turns active
	// checks off.
	Interval time.Duration
	// Timeout bounds one check or probe; > 0, required when Interval or
	// EjectAfter is set.
	Timeout time.Duration
	// EjectAfter consecutive failed batches eject a worker; a worker that
	// cannot be reached at all (connection refused or reset, worker gone)
	// is ejected at its first failure. 0 turns passive ejection off.
	EjectAfter int
	// EjectFor is the first ejection's length; it doubles with each
	// ejection in a row, up to 64 times. When it has passed, the worker is
	// probed and returns if ready, or is ejected again. Must be > 0 when
	// EjectAfter is.
	EjectFor time.Duration
	// SlowFactor, when > 1, counts a batch answered more than SlowFactor
	// times slower than its pool's workers typically are as a failed
	// batch towards EjectAfter, its answer still delivered: a worker far
	// slower than its peers is ejected like a failing one. Slowness is a
	// batch's latency over the pool's configured curve for its rows
	// (PoolConfig.Cost.Curve); typical is the median of the workers'
	// moving averages of it, and at least 1, so that a pool slow as a
	// whole (a starved gateway) ejects no one. 0, or any value <= 1,
	// turns it off.
	SlowFactor float64
}

// RetryConfig bounds retries of failed batches. The zero value turns
// retries off. It has no defaults of its own: serve passes the
// configuration's retry section.
type RetryConfig struct {
	// Budget is the largest share of requests that may be retries over
	// Window, in [0, 1]; 0 turns retries off.
	Budget float64
	// Window is the sliding window of the budget; > 0, required when
	// Budget is set.
	Window time.Duration
}

// Config is the router's whole configuration. Zero optional fields turn
// their feature off or take the default their doc names.
type Config struct {
	// Models are the models served; each names an existing tier, and a
	// fallback, if any, names another model.
	Models []Model
	// Tiers maps a tier's name to its pools, in order of preference: the
	// order breaks ties between equally good pools.
	Tiers map[string][]string
	// Pools are the groups of workers.
	Pools []PoolConfig
	// Routes pick a request's tier by more than its model, in order.
	Routes []Route
	Health HealthConfig
	Retry  RetryConfig
	// SequenceIdle is how long an open sequence (requests carrying
	// sequence_id) stays pinned to its worker without a request; 0 keeps
	// it until its last request (sequence_end).
	SequenceIdle time.Duration
	// Calibration bounds the probes that measure pools' latency; its zero
	// value measures nothing.
	Calibration CalibrationConfig
	// CacheBytes bounds the response cache's size; 0 turns the cache off
	// whatever the models ask.
	CacheBytes int64
	// StatsWindow is the sliding window of PoolStats' rates and
	// latencies; 0 means DefaultStatsWindow.
	StatsWindow time.Duration
	// Picker chooses a pool from a snapshot; nil means DefaultPicker().
	Picker Picker
	// Prober checks a worker's readiness; nil means HTTP GET of its
	// /v2/health/ready, or gRPC ServerReady for a worker without HTTP.
	Prober Prober
	// WorkerTLS secures the links to the workers — gRPC calls and the
	// default prober's HTTP checks (then HTTPS) — with a copy of it; nil
	// means plaintext. Its ServerName, if set, is the name every worker's
	// certificate must hold; else each endpoint's host. Like the other
	// fields but the tables, it is fixed at New.
	WorkerTLS *tls.Config
	// Clock is the time source of every decision; nil means
	// batcher.RealClock.
	Clock batcher.Clock
	// Logger receives ejections, returns and failed updates; nil discards
	// them.
	Logger *slog.Logger
	// TracerProvider records the spans of each pool's queue and batches
	// (see batcher.PoolConfig.TracerProvider; a pool's own Queue field
	// wins), of each worker call (SpanWorkerCall), and annotates the
	// caller's span with the pool and cost of its answer. Nil records
	// nothing, at no cost.
	TracerProvider trace.TracerProvider
}
