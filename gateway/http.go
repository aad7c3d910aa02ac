package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/oip"
)

// HTTPHandler returns the Open Inference Protocol v2 REST API.
func (g *Gateway) HTTPHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(g.closeWhileDraining)
	r.Get("/v2", g.serverMetadata)
	r.Get("/v2/health/live", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	r.Get("/v2/health/ready", g.serverReadyHandler)
	r.Get("/v2/models/{model}", g.modelMetadata)
	r.Get("/v2/models/{model}/versions/{version}", g.modelMetadata)
	r.Get("/v2/models/{model}/ready", g.modelReady)
	r.Get("/v2/models/{model}/versions/{version}/ready", g.modelReady)
	r.Post("/v2/models/{model}/infer", g.inferHTTP)
	r.Post("/v2/models/{model}/versions/{version}/infer", g.inferHTTP)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path)
	})
	return r
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (g *Gateway) inferHTTP(w http.ResponseWriter, r *http.Request) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bodyBuffers.Put(buf) }()
	decode := func() (call, error) { return g.httpCall(r, buf) }
	resp, fb, err := g.handle(r.Context(), chi.URLParam(r, "model"), httpHeaders(r.Header).values, decode)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	out, err := json.Marshal(resp)
	if err != nil {
		g.fail(w, r, err)
		return
	}
	if fb.from != "" {
		w.Header().Set(HeaderFallbackFrom, fb.from)
		w.Header().Set(HeaderFallbackReason, fb.reason)
	}
	if fb.cacheHit {
		w.Header().Set(HeaderCache, "hit")
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// httpCall reads and decodes an infer request within the gateway's
// limits (body size, JSON depth, input elements); its priority is the
// admission's. buf holds the body and must outlive the call.
func (g *Gateway) httpCall(r *http.Request, buf *bytes.Buffer) (call, error) {
	c := call{model: chi.URLParam(r, "model"), version: chi.URLParam(r, "version")}
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, g.maxBody)); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return c, fmt.Errorf("%w: the limit is %d bytes", ErrBodyTooLarge, g.maxBody)
		}
		return c, err
	}
	err := g.bounds.checkDepth(buf.Bytes())
	if err == nil {
		c.req, err = oip.DecodeRequest(buf.Bytes())
	}
	if err == nil {
		err = g.bounds.checkElements(c.req)
	}
	if err != nil {
		return c, err
	}
	c.timeout, err = parseTimeout(headers(httpHeaders(r.Header).values).first(HeaderTimeout), c.req.Parameters)
	return c, err
}

func (g *Gateway) serverMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, g.metadata())
}

func (g *Gateway) serverReadyHandler(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(readyStatus(g.serverReady()))
}

func (g *Gateway) modelReady(w http.ResponseWriter, r *http.Request) {
	model := chi.URLParam(r, "model")
	if _, ok := g.router.Model(model); !ok {
		writeError(w, http.StatusNotFound, "unknown model "+strconv.Quote(model))
		return
	}
	w.WriteHeader(readyStatus(g.ready(model)))
}

func (g *Gateway) modelMetadata(w http.ResponseWriter, r *http.Request) {
	md, err := g.router.Metadata(r.Context(), chi.URLParam(r, "model"))
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
// the client did not cause (shedding and draining are deliberate, not
// logged).
func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := classify(err)
	if f.http >= http.StatusInternalServerError && f.reason != ReasonShed && f.reason != ReasonDraining {
		g.log.Warn("request failed", slog.String("path", r.URL.Path), slog.Int("status", f.http), slog.Any("error", err))
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.retryAfter)))
	}
	if f.http == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sluice"`)
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
