package load

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies records in microseconds from 1µs to MaxLatency with three
// significant digits: a quantile read back is within 0.1% of the true one.
const (
	// MaxLatency is the largest latency Latencies tells apart; longer ones
	// are recorded as MaxLatency.
	MaxLatency   = time.Hour
	latencyUnit  = time.Microsecond
	latencyDigit = 3
)

// Latencies is an HDR histogram of durations. Durations below a
// microsecond count as one, those above MaxLatency as MaxLatency. Create
// it with NewLatencies; it is safe for concurrent use.
type Latencies struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// NewLatencies returns an empty histogram.
func NewLatencies() *Latencies {
	return &Latencies{h: hdrhistogram.New(1, int64(MaxLatency/latencyUnit), latencyDigit)}
}

// Record adds one latency.
func (l *Latencies) Record(d time.Duration) {
	us := min(max(int64(d/latencyUnit), 1), int64(MaxLatency/latencyUnit))
	l.mu.Lock()
	defer l.mu.Unlock()
	// In range by construction, so RecordValue cannot fail.
	_ = l.h.RecordValue(us)
}

// Merge adds every latency recorded in o to l. o must not be l.
func (l *Latencies) Merge(o *Latencies) {
	o.mu.Lock()
	from := o.h.Export()
	o.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.h.Merge(hdrhistogram.Import(from))
}

// Count returns how many latencies were recorded.
func (l *Latencies) Count() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.h.TotalCount()
}

// Quantile returns the latency that a fraction q of the recorded ones do
// not exceed, q in [0, 1] (0.99 for p99); 0 when nothing was recorded.
func (l *Latencies) Quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.h.ValueAtQuantile(q*100)) * latencyUnit
}

// Mean returns the mean latency; 0 when nothing was recorded.
func (l *Latencies) Mean() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.h.Mean() * float64(latencyUnit))
}

// Max returns the largest latency recorded, to the histogram's precision;
// 0 when nothing was recorded.
func (l *Latencies) Max() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.h.Max()) * latencyUnit
}
