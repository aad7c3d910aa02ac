package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/oip"
)

// MaxRequestBytes is the largest HTTP request body the worker reads.
const MaxRequestBytes = 64 << 20

// readHeaderTimeout bounds the reading of an HTTP request's headers, so
// that a client that stops half-way does not hold a connection forever;
// the gateway's own bound is configurable (limits.read_header_timeout),
// the emulated worker's is not.
const readHeaderTimeout = 10 * time.Second

// Handler returns the HTTP side of the Open Inference Protocol v2:
//
//	GET  /v2                                  server metadata
//	GET  /v2/health/live                      200 {"live":true}
//	GET  /v2/health/ready                     200, or 503 during the cold start
//	GET  /v2/models/{model}[/versions/{v}]    model metadata
//	GET  /v2/models/{model}[/versions/{v}]/ready
//	POST /v2/models/{model}[/versions/{v}]/infer
//	GET  /v2/models/{model}/stats             Stats of the model, as JSON
//
// Errors are {"error": "..."} with status 400, 404, 503 or 500.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Get("/v2", s.serveServerMetadata)
	r.Get("/v2/health/live", serveLive)
	r.Get("/v2/health/ready", s.serveReady)
	model := func(r chi.Router) {
		r.Get("/", s.serveModelMetadata)
		r.Get("/ready", s.serveModelReady)
		r.Post("/infer", s.serveInfer)
	}
	r.Route("/v2/models/{model}", func(r chi.Router) {
		model(r)
		r.Get("/stats", s.serveStats)
		r.Route("/versions/{version}", model)
	})
	return r
}

func (s *Server) serveServerMetadata(w http.ResponseWriter, _ *http.Request) {
	s.writeJSON(w, http.StatusOK, s.ServerMetadata())
}

func serveLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"live":true}`)
}

func (s *Server) serveReady(w http.ResponseWriter, _ *http.Request) {
	ready := s.Ready()
	s.writeJSON(w, readyStatus(ready), map[string]bool{"ready": ready})
}

func readyStatus(ready bool) int {
	if ready {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

func (s *Server) serveModelMetadata(w http.ResponseWriter, r *http.Request) {
	meta, err := s.ModelMetadata(chi.URLParam(r, "model"), chi.URLParam(r, "version"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	s.writeJSON(w, http.StatusOK, meta)
}

func (s *Server) serveModelReady(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "model")
	ready, err := s.ModelReady(name, chi.URLParam(r, "version"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	s.writeJSON(w, readyStatus(ready), map[string]any{"name": name, "ready": ready})
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	st, err := s.ModelStats(chi.URLParam(r, "model"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	s.writeJSON(w, http.StatusOK, st)
}

func (s *Server) serveInfer(w http.ResponseWriter, r *http.Request) {
	m, err := s.admit(chi.URLParam(r, "model"), chi.URLParam(r, "version"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	req, err := decodeRequest(w, r)
	if err != nil {
		s.writeError(w, fmt.Errorf("model %q: %w", m.meta.Name, err))
		return
	}
	resp, err := s.infer(r.Context(), m, req)
	switch {
	case err != nil:
		s.writeError(w, err)
	case s.garbage != nil:
		s.garbage.writeHTTP(w, resp)
	default:
		s.writeJSON(w, http.StatusOK, resp)
	}
}

// decodeRequest reads a JSON inference request of at most MaxRequestBytes.
func decodeRequest(w http.ResponseWriter, r *http.Request) (*oip.InferenceRequest, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("body over %d bytes: %w", tooBig.Limit, ErrBadInput)
		}
		return nil, fmt.Errorf("read body: %w: %w", ErrBadInput, err)
	}
	req := new(oip.InferenceRequest)
	if err := json.Unmarshal(body, req); err != nil {
		return nil, fmt.Errorf("decode body: %w: %w", ErrBadInput, err)
	}
	return req, nil
}

func (s *Server) writeError(w http.ResponseWriter, err error) {
	code := httpStatusOf(codeOf(err))
	if code == http.StatusInternalServerError {
		s.log.Error("worker: request failed", "err", err)
	}
	s.writeJSON(w, code, oip.ErrorBody{Error: err.Error()})
}

// writeJSON writes v with the status code; v must be JSON-encodable.
func (s *Server) writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.log.Error("worker: encode response", "err", err)
		code, body = http.StatusInternalServerError, []byte(`{"error":"worker: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
