package gateway

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/oip"
)

// Label values the gateway's metrics use where a call has no other.
const (
	// LabelNone is the pool of a call no pool answered (refused, failed,
	// or answered by no one), and the priority of a call refused before
	// its class was read (by authentication, the key's models or an
	// invalid priority header).
	LabelNone = "none"
	// LabelCache is the pool of a call the response cache answered.
	LabelCache = "cache"
	// LabelUnknown is the model of a call for a model the gateway does
	// not serve, so that clients cannot mint label values.
	LabelUnknown = "unknown"
)

// Rejection reasons, the values of sluice_rejections_total's reason label:
// the gateway's failure reasons (ReasonShed, ...), with authentication
// and the key's models together as "auth" and the rate limits as
// "rate_limit".
const (
	RejectAuth      = "auth"
	RejectRateLimit = "rate_limit"
)

// rejectionOf maps a failure reason to its rejection reason; a reason not
// listed is its own.
var rejectionOf = map[string]string{
	ReasonUnauthenticated: RejectAuth,
	ReasonForbidden:       RejectAuth,
	ReasonRateLimited:     RejectRateLimit,
}

// rejectionReasons are the rejection reasons that exist from the start,
// at 0, so that rates over them are defined before the first.
var rejectionReasons = []string{
	RejectAuth, RejectRateLimit, ReasonShed, ReasonDraining, ReasonInvalid, ReasonUnknownModel,
	ReasonNoCapacity, ReasonQueueFull, ReasonQueueTimeout, ReasonDeadline, ReasonCanceled,
	ReasonClosed, ReasonBackend, ReasonInternal,
}

// LatencyBuckets are the classic buckets, in seconds, of the gateway's
// end-to-end latency histogram; native buckets come besides them.
var LatencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Native histogram settings of every Sluice histogram: buckets about 10 %
// wide, at most 160 of them, reset at most hourly to stay in that bound.
const (
	NativeBucketFactor   = 1.1
	NativeMaxBuckets     = 160
	NativeMinResetPeriod = time.Hour
)

// HistogramOpts returns the options of a Sluice histogram: name and help
// as given, buckets (classic, upper bounds) and the native settings
// above.
func HistogramOpts(name, help string, buckets []float64) prometheus.HistogramOpts {
	return prometheus.HistogramOpts{
		Name: name, Help: help, Buckets: buckets,
		NativeHistogramBucketFactor:     NativeBucketFactor,
		NativeHistogramMaxBucketNumber:  NativeMaxBuckets,
		NativeHistogramMinResetDuration: NativeMinResetPeriod,
	}
}

// Metrics records the gateway's infer calls in Prometheus metrics:
//
//	sluice_requests_total{model,pool,priority,code}  calls, by HTTP status
//	sluice_request_duration_seconds{model,pool}      end-to-end latency
//	sluice_requests_in_flight                        calls in progress
//	sluice_request_body_bytes_in_flight              bytes their bodies hold
//	sluice_inferences_total{model,pool}              rows answered
//	sluice_rejections_total{reason}                  calls not answered
//
// A gRPC call counts under the HTTP status its outcome maps to. model is
// the model asked for (LabelUnknown for one not served), pool the pool
// that answered (LabelNone, LabelCache). The latency covers every call
// that passed admission, answered or not. Calls refused while the gateway
// drains are not counted. Build it with NewMetrics; a nil *Metrics
// records nothing. It is safe for concurrent use, and recording a call
// does not allocate once its label values have been seen.
type Metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inferences *prometheus.CounterVec
	inFlight   prometheus.Gauge
	bodyBytes  prometheus.Gauge
	rejections map[string]prometheus.Counter // by rejection reason
	rejected   *prometheus.CounterVec
}

// NewMetrics returns the gateway's metrics, registered with reg. It fails
// when reg already holds metrics of the same names.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_requests_total",
			Help: "Infer calls, by the model asked for, the pool that answered, the priority class and the HTTP status (gRPC calls by the status their outcome maps to).",
		}, []string{"model", "pool", "priority", "code"}),
		duration: prometheus.NewHistogramVec(HistogramOpts("sluice_request_duration_seconds",
			"End-to-end latency of the infer calls that passed admission, answered or not, in seconds.", LatencyBuckets),
			[]string{"model", "pool"}),
		inferences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_inferences_total",
			Help: "Inferences (request rows) answered, by the model asked for and the pool that answered.",
		}, []string{"model", "pool"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sluice_requests_in_flight",
			Help: "Infer calls in progress.",
		}),
		bodyBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sluice_request_body_bytes_in_flight",
			Help: "Bytes the bodies of the infer calls in progress hold, as limits.max_body_bytes_in_flight bounds them.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_rejections_total",
			Help: "Infer calls not answered, by reason: auth, rate_limit, shed, queue_full, queue_timeout, deadline, backend, ...",
		}, []string{"reason"}),
		rejections: map[string]prometheus.Counter{},
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inferences, m.inFlight, m.bodyBytes, m.rejected} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("gateway: metrics: %w", err)
		}
	}
	for _, r := range rejectionReasons {
		m.rejections[r] = m.rejected.WithLabelValues(r)
	}
	return m, nil
}

// beginCall counts a call in flight from now on and returns now, its
// start.
func (g *Gateway) beginCall() time.Time {
	if g.metrics != nil {
		g.metrics.inFlight.Inc()
	}
	return g.now()
}

// recordRefused records a call to model that an admission gate refused
// before it was decoded; t is admit's. Its class is known only past the
// priority gate: when shed or rate limited.
func (g *Gateway) recordRefused(model string, t ticket, err error) {
	m := g.metrics
	if m == nil {
		return
	}
	m.inFlight.Dec()
	f := classify(err)
	priority := LabelNone
	if f.reason == ReasonShed || f.reason == ReasonRateLimited {
		priority = t.priority.String()
	}
	m.count(g.modelLabel(model), LabelNone, priority, f)
}

// recordServed records a call to model that passed admission, from start
// to now: answered with req's rows, or failed with err.
func (g *Gateway) recordServed(model string, t ticket, req *oip.InferenceRequest, start time.Time, err error) {
	m := g.metrics
	if m == nil {
		return
	}
	m.inFlight.Dec()
	model, pool := g.modelLabel(model), poolLabel(t, err)
	if o, e := m.duration.GetMetricWithLabelValues(model, pool); e == nil {
		o.Observe(g.now().Sub(start).Seconds())
	}
	f := failure{http: http.StatusOK}
	if err != nil {
		f = classify(err)
	} else if c, e := m.inferences.GetMetricWithLabelValues(model, pool); e == nil {
		c.Add(float64(rowsOf(req)))
	}
	m.count(model, pool, t.priority.String(), f)
}

// count adds a call of outcome f; f.reason is empty for an answered one.
func (m *Metrics) count(model, pool, priority string, f failure) {
	if c, err := m.requests.GetMetricWithLabelValues(model, pool, priority, statusText(f.http)); err == nil {
		c.Inc()
	}
	if f.reason == "" {
		return
	}
	reason := f.reason
	if r, ok := rejectionOf[reason]; ok {
		reason = r
	}
	if c, ok := m.rejections[reason]; ok {
		c.Inc()
	} else if c, err := m.rejected.GetMetricWithLabelValues(reason); err == nil {
		c.Inc()
	}
}

// modelLabel returns model if the gateway serves it, else LabelUnknown.
func (g *Gateway) modelLabel(model string) string {
	if _, ok := g.router.Model(model); ok {
		return model
	}
	return LabelUnknown
}

// poolLabel names the pool that answered t's call: LabelCache for the
// response cache, LabelNone when the call failed.
func poolLabel(t ticket, err error) string {
	switch {
	case err != nil || (t.pool == "" && !t.fallback.cacheHit):
		return LabelNone
	case t.pool == "":
		return LabelCache
	}
	return t.pool
}

// statusTexts holds the statuses the gateway answers, as label values.
var statusTexts = statusTable()

func statusTable() map[int]string {
	out := map[int]string{http.StatusOK: "200", http.StatusInternalServerError: "500"}
	for _, f := range failures {
		out[f.http] = strconv.Itoa(f.http)
	}
	return out
}

// statusText returns status in decimal, without allocating for the
// statuses the gateway answers.
func statusText(status int) string {
	if s, ok := statusTexts[status]; ok {
		return s
	}
	return strconv.Itoa(status)
}
