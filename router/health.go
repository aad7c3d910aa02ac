package router

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// health is one worker's health as the router sees it. It is a plain
// value whose methods return the next state; the pool applies it.
//
// A worker takes batches (ready) unless it is ejected or its last active
// check failed. Passive ejection follows failed batches: EjectAfter in a
// row, or one that could not reach the worker at all. An ejection lasts
// EjectFor, doubled for each ejection since the worker last served a batch
// well; when it has passed, a probe decides: ready, and the worker
// returns; not ready, and it is ejected again, for longer.
type health struct {
	// failures counts the failed batches in a row.
	failures int
	// ejections counts the ejections since the last good batch.
	ejections int
	// until is the end of the current ejection; zero when not ejected.
	until time.Time
	// down is set when the last active check failed.
	down bool
}

// ready reports whether the worker should take batches.
func (h health) ready() bool { return h.until.IsZero() && !h.down }

// ejected reports whether the worker is ejected, however long ago the
// ejection ended: only a probe ends it.
func (h health) ejected() bool { return !h.until.IsZero() }

// succeeded records a good batch: the failure and ejection counts restart.
func (h health) succeeded() health {
	h.failures, h.ejections = 0, 0
	return h
}

// failed records a failed batch at now; unreachable says the worker could
// not be reached. With cfg.EjectAfter 0, or while ejected, nothing changes.
func (h health) failed(now time.Time, unreachable bool, cfg HealthConfig) health {
	if cfg.EjectAfter <= 0 || h.ejected() {
		return h
	}
	h.failures++
	if unreachable || h.failures >= cfg.EjectAfter {
		return h.eject(now, cfg)
	}
	return h
}

// eject starts an ejection at now, twice as long as the previous one in
// a row, up to 2^maxEjectDoublings times EjectFor.
func (h health) eject(now time.Time, cfg HealthConfig) health {
	h.ejections++
	h.failures = 0
	h.until = now.Add(cfg.EjectFor << min(h.ejections-1, maxEjectDoublings))
	return h
}

// probed records a check's verdict at now. An ejected worker is judged
// only once its ejection has passed: ready ends the ejection, not ready
// starts a longer one. Any other worker is down exactly when not ready.
func (h health) probed(now time.Time, ready bool, cfg HealthConfig) health {
	switch {
	case !h.ejected():
		h.down = !ready
	case now.Before(h.until):
	case ready:
		h.until, h.down = time.Time{}, false
	default:
		h = h.eject(now, cfg)
	}
	return h
}

// Prober checks whether a worker is ready to take batches. It must be
// safe for concurrent use.
type Prober interface {
	// Probe returns nil when the worker at ep is ready, before ctx ends.
	Probe(ctx context.Context, ep Endpoint) error
}

// ProberFunc adapts a function to a Prober.
type ProberFunc func(ctx context.Context, ep Endpoint) error

var _ Prober = ProberFunc(nil)

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, ep Endpoint) error { return f(ctx, ep) }

// httpProber checks GET /v2/health/ready on a worker's HTTP listener.
type httpProber struct {
	client *http.Client
	scheme string // "http" or "https"
}

// Probe implements Prober: a 200 answer is ready.
func (p httpProber) Probe(ctx context.Context, ep Endpoint) error {
	return p.probeURL(ctx, ep.ID, p.scheme+"://"+ep.HTTP+"/v2/health/ready")
}

// probeURL returns nil when GET url answers 200; id names the worker in
// errors. The body is drained so that the connection is kept.
func (p httpProber) probeURL(ctx context.Context, id, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("router: probe %q: %w", id, err)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("router: probe %q: %w", id, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("router: probe %q: %w: status %d", id, errNotReady, resp.StatusCode)
	}
	return nil
}
