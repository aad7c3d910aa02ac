package load

import (
	"fmt"
	"math"
)

// compression returns the factor by which o.Compress shortens each trace
// second: 1 when unset (0). It fails with ErrSchedule for a value that is
// negative, NaN or infinite.
func (o TraceOptions) compression() (float64, error) {
	if o.Compress == 0 {
		return 1, nil
	}
	if !(o.Compress > 0) || math.IsInf(o.Compress, 1) {
		return 0, fmt.Errorf("%w: compress %g, must be positive and finite", ErrSchedule, o.Compress)
	}
	return o.Compress, nil
}

// compressSecond returns s as drawn in trace time when it is replayed
// over 1/k of its length: its rate divided by k, so that, once the
// offsets are divided by k, the real-time rate is s's own. pre: k > 0.
func compressSecond(s Second, k float64) Second {
	s.RPS /= k
	return s
}
