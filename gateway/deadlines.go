package gateway

import (
	"io"
	"net/http"
	"time"
)

// slowClients bounds how long one HTTP request may hold its connection
// while the client is the slow side, over HTTP/1 and HTTP/2 alike: its
// body must arrive within the body timeout, counted from the handler's
// start (a client still sending then gets 408, see readBody), and its
// answer must be written within the write timeout, counted from its first
// byte (a client that does not read it loses its connection, and the
// answer's memory is freed). Waiting for a worker is the gateway's time,
// bounded by the call's deadline, and counts against neither. Socket
// deadlines are wall-clock times, so they read time.Now, not the
// gateway's clock. It serves r on d, a zero clientDeadlines that holds the
// request's controller and both wrappers (see guardHTTP).
func (g *Gateway) slowClients(d *clientDeadlines, w http.ResponseWriter, r *http.Request, next http.Handler) {
	d.rc = connDeadlines{w}
	// A deadline left by the connection's previous answer must not cut
	// this request short before it writes its own.
	_ = d.rc.SetWriteDeadline(time.Time{})
	if r.Body != nil && r.Body != http.NoBody {
		_ = d.rc.SetReadDeadline(time.Now().Add(g.bounds.bodyTimeout))
		d.body = bodyDeadline{ReadCloser: r.Body, rc: &d.rc}
		// A shallow copy of the request carries the body's wrapper: the
		// server's request is not modified.
		d.req = *r
		d.req.Body = &d.body
		r = &d.req
	}
	d.w = writeDeadline{ResponseWriter: w, rc: &d.rc, timeout: g.bounds.writeTimeout}
	next.ServeHTTP(&d.w, r)
}

// clientDeadlines is one request's deadline controller, the wrappers of
// its body and writer that move the deadlines, and the copy of the
// request that carries the body's wrapper.
type clientDeadlines struct {
	rc   connDeadlines
	body bodyDeadline
	w    writeDeadline
	req  http.Request
}

// connDeadlines moves the deadlines of a writer's connection, as
// http.ResponseController does (it finds the writer that can through
// Unwrap), but held by value: a controller of its own costs every request
// an allocation.
type connDeadlines struct{ w http.ResponseWriter }

func (c connDeadlines) SetReadDeadline(t time.Time) error {
	if d, ok := unwrapTo[interface{ SetReadDeadline(time.Time) error }](c.w); ok {
		return d.SetReadDeadline(t)
	}
	return http.ErrNotSupported
}

func (c connDeadlines) SetWriteDeadline(t time.Time) error {
	if d, ok := unwrapTo[interface{ SetWriteDeadline(time.Time) error }](c.w); ok {
		return d.SetWriteDeadline(t)
	}
	return http.ErrNotSupported
}

// unwrapTo returns the first writer of w's chain (w, then what each
// Unwrap returns) that is a T; false when none is.
func unwrapTo[T any](w http.ResponseWriter) (T, bool) {
	for w != nil {
		if t, ok := w.(T); ok {
			return t, true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	var zero T
	return zero, false
}

// bodyDeadline lifts the body's read deadline once the body has been
// read to its end: from then on the request waits for its answer, and the
// server's own read (which notices a client that leaves) must not time
// out and cancel it.
type bodyDeadline struct {
	io.ReadCloser
	rc   *connDeadlines
	done bool
}

func (b *bodyDeadline) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// writeDeadline sets the write deadline when the answer starts: its
// header, or its first byte.
type writeDeadline struct {
	http.ResponseWriter
	rc      *connDeadlines
	timeout time.Duration
	started bool
}

func (w *writeDeadline) start() {
	if !w.started {
		w.started = true
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	}
}

func (w *writeDeadline) WriteHeader(status int) {
	w.start()
	w.ResponseWriter.WriteHeader(status)
}

func (w *writeDeadline) Write(p []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *writeDeadline) Unwrap() http.ResponseWriter { return w.ResponseWriter }
