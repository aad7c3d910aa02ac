package gateway

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Names of the request headers (HTTP) and metadata keys (gRPC) Sluice reads.
const (
	// HeaderTimeout carries the client's timeout in milliseconds.
	HeaderTimeout = "x-sluice-timeout-ms"
	// HeaderPriority names the priority class to queue in (critical, high,
	// normal, low, or best-effort, another name of low). It may lower a
	// caller's class, never raise it.
	HeaderPriority = "x-sluice-priority"
)

// parseTimeout returns the client's timeout: the smaller of the header's
// milliseconds and the request's "timeout" parameter, which the protocol
// (as Triton defines it) gives in microseconds. 0 means none was given.
func parseTimeout(header string, params oip.Parameters) (time.Duration, error) {
	var d time.Duration
	if header != "" {
		ms, err := strconv.ParseFloat(strings.TrimSpace(header), 64)
		if err != nil || ms <= 0 || math.IsInf(ms, 0) || math.IsNaN(ms) {
			return 0, fmt.Errorf("%w: header %s: %q is not a positive number of milliseconds", oip.ErrInvalid, HeaderTimeout, header)
		}
		d = millis(ms)
	}
	us, ok, err := timeoutParameter(params)
	if err != nil {
		return 0, err
	}
	if ok && (d == 0 || time.Duration(us)*time.Microsecond < d) {
		d = time.Duration(us) * time.Microsecond
	}
	return d, nil
}

// millis converts a positive, finite number of milliseconds to a duration:
// at least 1ns, so that a tiny timeout is not taken for none, and at most
// the longest duration.
func millis(ms float64) time.Duration {
	if ms >= float64(math.MaxInt64)/float64(time.Millisecond) {
		return math.MaxInt64
	}
	return max(1, time.Duration(ms*float64(time.Millisecond)))
}

// maxTimeoutMicros is the longest timeout parameter a time.Duration holds.
const maxTimeoutMicros = math.MaxInt64 / int64(time.Microsecond)

// timeoutParameter reads parameters.timeout (microseconds, > 0).
func timeoutParameter(params oip.Parameters) (us int64, ok bool, err error) {
	v, ok := params["timeout"]
	if !ok {
		return 0, false, nil
	}
	switch t := v.(type) {
	case float64:
		switch {
		case t >= float64(maxTimeoutMicros):
			us = -1
		case t > 0 && t == math.Trunc(t):
			us = int64(t)
		}
	case int64:
		us = t
	case uint64:
		us = -1 // beyond int64: beyond any duration
	case string:
		us, _ = strconv.ParseInt(t, 10, 64)
	}
	if us > maxTimeoutMicros || us < 0 {
		return 0, false, fmt.Errorf("%w: parameter timeout: %v microseconds is longer than the longest duration (%d µs)", oip.ErrInvalid, v, int64(maxTimeoutMicros))
	}
	if us == 0 {
		return 0, false, fmt.Errorf("%w: parameter timeout: %v is not a positive whole number of microseconds", oip.ErrInvalid, v)
	}
	return us, true, nil
}

// parsePriority returns the class a call is queued in: def when the header
// is empty, else the class the header names, lowered to ceiling if it is
// higher. pre: def is not higher than ceiling.
func parsePriority(header string, ceiling, def batcher.Priority) (batcher.Priority, error) {
	if header == "" {
		return def, nil
	}
	p, err := batcher.ParsePriority(strings.TrimSpace(header))
	if err != nil {
		return 0, fmt.Errorf("%w: header %s: %w", oip.ErrInvalid, HeaderPriority, err)
	}
	return min(p, ceiling), nil
}
