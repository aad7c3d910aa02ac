package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/oip"
)

// HTTPHandler returns the Open Inference Protocol v2 REST API, with
// Triton's extensions: binary tensor data, model configuration,
// statistics, the repository index; and clear refusals for the
// extensions Sluice does not serve (see Extensions).
func (g *Gateway) HTTPHandler() http.Handler {
	r := chi.NewRouter()
	r.Get("/v2", g.serverMetadata)
	r.Get("/v2/health/live", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, liveBody{Live: true}) })
	r.Get("/v2/health/ready", g.serverReadyHandler)
	r.Get("/v2/models", g.listModels)
	r.Get("/v2/models/stats", g.statsHTTP)
	r.Post("/v2/repository/index", g.repositoryIndexHTTP)
	for _, prefix := range []string{"/v2/models/{model}", "/v2/models/{model}/versions/{version}"} {
		r.Get(prefix, g.modelMetadata)
		r.Get(prefix+"/ready", g.modelReady)
		r.Get(prefix+"/config", g.modelConfigHTTP)
		r.Get(prefix+"/stats", g.statsHTTP)
		r.Post(prefix+"/infer", g.inferHTTP)
	}
	g.unsupportedHTTP(r)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path)
	})
	// The middlewares wrap every route, chi's own answers too, as r.Use
	// would; the infer route is served before chi's routing.
	return g.guardHTTP(g.closeWhileDraining(g.inferRoute(r)))
}

// bodyBuffers pools the buffers of request bodies up to maxPooledBody
// bytes; larger ones are left to the collector, so that a burst of large
// bodies does not stay in memory once answered.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody is the largest buffer bodyBuffers keeps.
const maxPooledBody = 1 << 20

// smallBody is the most a pooled buffer may exceed twice its body by,
// and the largest one a body of unknown length is given.
const smallBody = 4 << 10

// bodyBuffer returns a buffer for a body of size bytes, -1 when unknown:
// one from the pool when it is no larger than twice the body and
// smallBody, else an empty one. A small body, which a slow client may
// keep for the body timeout, so never pins (nor takes from the bound on
// bytes in flight) a large buffer a larger body left.
func bodyBuffer(size int64) *[]byte {
	buf := bodyBuffers.Get().(*[]byte)
	if int64(cap(*buf)) > 2*max(size, 0)+smallBody {
		bodyBuffers.Put(buf)
		return new([]byte)
	}
	return buf
}

// releaseBody hands buf back to the pool, or its memory to the collector
// when it is large: buf itself stays reachable until the handler returns,
// which for a client slow to read its answer is the write timeout.
func releaseBody(buf *[]byte) {
	if cap(*buf) > maxPooledBody {
		*buf = nil
		return
	}
	*buf = (*buf)[:0]
	bodyBuffers.Put(buf)
}

// inferHTTP serves an infer call routed by chi (see inferRoute).
func (g *Gateway) inferHTTP(w http.ResponseWriter, r *http.Request) {
	g.serveInfer(w, r, chi.URLParam(r, "model"), chi.URLParam(r, "version"))
}

// serveInfer serves an infer call to model, and version if not empty.
// The body's buffer is released before the answer is written, so that a
// client slow to read its answer holds only the answer; the bytes the
// body took of the gateway's bound stay taken until the answer is
// written, the answer in the body's place. A body whose binary tensors
// the decoded request shares is released only when the call was
// answered: after a failure the request may still be on its way to a
// worker.
func (g *Gateway) serveInfer(w http.ResponseWriter, r *http.Request, model, version string) {
	buf := bodyBuffer(r.ContentLength)
	c := &claim{from: g.bodyBytes}
	defer c.release()
	aliased, released := false, false
	release := func() {
		if !released {
			released = true
			releaseBody(buf)
		}
	}
	defer func() {
		if !aliased {
			release()
		}
	}()
	var format oip.BinaryOutputs
	decode := func(ctx context.Context) (call, error) {
		call, shared, f, err := g.httpCall(ctx, w, r, model, version, buf, c)
		aliased, format = shared, f
		return call, err
	}
	resp, fb, err := g.handle(r.Context(), model, httpHeaders(r.Header).values, decode)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	release()
	if fb.from != "" {
		w.Header().Set(HeaderFallbackFrom, fb.from)
		w.Header().Set(HeaderFallbackReason, fb.reason)
	}
	if fb.cacheHit {
		w.Header().Set(HeaderCache, "hit")
	}
	// One array holds the values of the answer's headers of its cost and
	// lengths, set under their canonical keys.
	vals := fb.markHTTP(w.Header(), make([]string, 0, 3))
	if err := writeInfer(w, r, resp, format, vals); err != nil {
		g.fail(w, r, err)
	}
}

// httpCall reads and decodes an infer request within the gateway's
// limits (body size, compressed or not, bytes of bodies in flight, JSON
// depth, input elements); its priority is the admission's. buf holds the
// body and must outlive the call, and cl the bytes it takes; aliased
// reports that the request shares buf's memory. format is how the
// client wants its outputs. When the drain gives up on the call while
// its body is still arriving, the read stops at once. A body that could
// not be read leaves the connection unusable: the answer closes it. Of a
// body refused for the bound on bytes in flight, the server reads a
// small rest (256 KiB) to keep the connection, and closes it rather than
// read a larger one: reading it would do the greedy client's work. Over
// HTTP/2 only the call's stream ends, never the connection.
func (g *Gateway) httpCall(ctx context.Context, w http.ResponseWriter, r *http.Request, model, version string, buf *[]byte, cl *claim) (c call, aliased bool, format oip.BinaryOutputs, err error) {
	c = call{model: model, version: version}
	g.gate.reading(ctx, w)
	*buf, err = readBody(r, *buf, g.maxBody, cl)
	g.gate.reading(ctx, nil)
	if err != nil {
		// Over HTTP/2 the server resets the call's own stream; closing the
		// connection would also end the client's other calls on it.
		if !errors.Is(err, ErrOverloaded) && r.ProtoMajor < 2 {
			w.Header().Set("Connection", "close")
		}
		return c, false, format, err
	}
	c.req, aliased, err = decodeHTTP(r.Header, *buf, g.bounds)
	if err == nil {
		format, err = c.req.TakeBinaryOutputs()
	}
	if err == nil {
		err = g.bounds.checkElements(c.req)
	}
	if err == nil {
		err = checkSupported(c.req)
	}
	if err != nil {
		return c, aliased, format, err
	}
	c.timeout, err = parseTimeout(headers(httpHeaders(r.Header).values).first(HeaderTimeout), c.req.Parameters)
	return c, aliased, format, err
}

func (g *Gateway) serverMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, g.metadata())
}

// liveBody, readyBody and modelReadyBody are the health answers'
// bodies, as KServe's clients read them; Triton's read the status alone.
type (
	liveBody struct {
		Live bool `json:"live"`
	}
	readyBody struct {
		Ready bool `json:"ready"`
	}
	modelReadyBody struct {
		Name   string `json:"name"`
		Ready  bool   `json:"ready"`
		Reason string `json:"reason,omitempty"`
	}
)

func (g *Gateway) serverReadyHandler(w http.ResponseWriter, _ *http.Request) {
	ready := g.serverReady()
	writeJSON(w, readyStatus(ready), readyBody{Ready: ready})
}

func (g *Gateway) modelReady(w http.ResponseWriter, r *http.Request) {
	model := chi.URLParam(r, "model")
	if _, ok := g.router.Model(model); !ok {
		writeError(w, http.StatusNotFound, "unknown model "+strconv.Quote(model))
		return
	}
	reason := g.notReady(model)
	writeJSON(w, readyStatus(reason == ""), modelReadyBody{Name: model, Ready: reason == "", Reason: reason})
}

func (g *Gateway) modelMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := g.metadataOf(r.Context(), chi.URLParam(r, "model"))
	if err != nil {
		g.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, md)
}

func readyStatus(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

// fail answers with err's status and a one-line JSON error, and logs what
// the client did not cause (shedding, draining and refusing calls over
// the gateway's limits are deliberate, not logged).
func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := classify(err)
	if f.http >= http.StatusInternalServerError && f.reason != ReasonShed && f.reason != ReasonDraining && f.reason != ReasonOverloaded {
		g.log.Warn("request failed", slog.String("path", r.URL.Path), slog.Int("status", f.http), slog.Any("error", err))
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.retryAfter)))
	}
	if f.http == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sluice"`)
	}
	if f.reason == ReasonBudget {
		w.Header().Set(HeaderBudget, budget.Exhausted.String())
	}
	writeError(w, f.http, err.Error())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, oip.ErrorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
