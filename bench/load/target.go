package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Target is what one request of a run does. Do must be safe for
// concurrent use, return when ctx is done, and return nil for a success;
// a *StatusError lets Run count the failure by HTTP status.
type Target interface {
	Do(ctx context.Context) error
}

// TargetFunc adapts a function to Target.
type TargetFunc func(ctx context.Context) error

var (
	_ Target = TargetFunc(nil)
	_ Target = (*HTTPTarget)(nil)
)

// Do calls f(ctx).
func (f TargetFunc) Do(ctx context.Context) error { return f(ctx) }

// HTTPTarget sends the same HTTP request every time. Its fields must not
// change while a run uses it; it is then safe for concurrent use.
type HTTPTarget struct {
	// Client sends the requests; nil means http.DefaultClient, which keeps
	// few idle connections: prefer one from NewHTTPClient.
	Client *http.Client
	// Method is the request method; empty means POST.
	Method string
	// URL is the absolute URL of every request.
	URL string
	// Header is added to every request; nil adds nothing. A Content-Type
	// of application/json is set when Header names none.
	Header http.Header
	// Body is every request's body; nil sends none.
	Body []byte
}

// Do sends the request and reads the answer to its end, so the connection
// can be reused. It returns a *StatusError for a status outside 2xx, with
// the start of the answer's body, and the transport's error, wrapped, when
// there is no answer (ctx done included).
func (t *HTTPTarget) Do(ctx context.Context) error {
	req, err := t.request(ctx)
	if err != nil {
		return err
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("load: %s %s: %w", req.Method, t.URL, err)
	}
	defer resp.Body.Close()
	var failed *StatusError
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		failed = &StatusError{Code: resp.StatusCode}
		failed.Body, err = io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	}
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return fmt.Errorf("load: %s %s: reading the answer: %w", req.Method, t.URL, err)
	}
	if failed != nil {
		return failed
	}
	return nil
}

func (t *HTTPTarget) request(ctx context.Context) (*http.Request, error) {
	method := t.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, t.URL, bytes.NewReader(t.Body))
	if err != nil {
		return nil, fmt.Errorf("load: %s %s: %w", method, t.URL, err)
	}
	for k, vs := range t.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// NewHTTPClient returns a client for load runs over HTTP/1.1: it opens at
// most maxConns connections per host and keeps them all idle between
// requests (so a burst's connections are reused by the next burst instead
// of exhausting ephemeral ports and file descriptors), does not compress,
// and sets no client timeout of its own — Run bounds each request through
// its context. A request that finds every connection busy waits for one;
// being timed from its due time, the wait counts in its latency. maxConns
// <= 0 means 4096.
func NewHTTPClient(maxConns int) *http.Client {
	if maxConns <= 0 {
		maxConns = 4096
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		MaxConnsPerHost:     maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}}
}
