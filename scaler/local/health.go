package local

import (
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// health is a worker's readiness as its probes have shown it.
type health struct {
	ready bool
	fails int // failed probes in a row since the last success
}

// observe returns h after a probe that passed (ok) or failed. A worker
// becomes ready on its first passed probe and stops being ready after
// threshold failed probes in a row.
func (h health) observe(ok bool, threshold int) health {
	if ok {
		return health{ready: true}
	}
	h.fails++
	if h.fails >= threshold {
		h.ready = false
	}
	return h
}

// prober checks a worker's readiness.
type prober struct {
	client  *http.Client
	timeout time.Duration
}

// probe reports whether the worker at a is ready, within the timeout:
// GET http://<a.HTTP><path> answers 200, or, with no path, a.GRPC accepts
// a connection. It returns false when ctx is done.
func (p prober) probe(ctx context.Context, a addrs, path string) bool {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if path == "" {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", a.GRPC)
		if err != nil {
			return false
		}
		conn.Close()
		return true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a.HTTP+path, nil)
	if err != nil {
		return false
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode == http.StatusOK
}
