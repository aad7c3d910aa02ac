package router

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// httpLink is a worker's Open Inference Protocol over HTTP/1.1, on the
// keep-alive connections of the router's worker client:
//
//	POST /v2/models/{model}[/versions/{version}]/infer
//	GET  /v2/models/{model}
//	GET  /v2/models/{model}/config
//	GET  /v2/health/ready
//	GET  /v2
type httpLink struct {
	id     string
	base   string // scheme://host:port
	client *http.Client
	// codec is how batches go, once GET /v2 told (see codecFor).
	codec atomic.Pointer[httpCodec]
}

// dialHTTP returns the HTTP link of ep over hp's client, the worker's own.
func dialHTTP(ep Endpoint, hp httpProber) (*httpLink, error) {
	if ep.HTTP == "" {
		return nil, fmt.Errorf("router: worker %q: %w: protocol http without an HTTP address", ep.ID, ErrConfig)
	}
	return &httpLink{id: ep.ID, base: hp.scheme + "://" + ep.HTTP, client: hp.client}, nil
}

func (l *httpLink) infer(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	codec := l.codecFor(ctx)
	body, header, err := codec.encode(req)
	if err != nil {
		return nil, fmt.Errorf("router: worker %q: encoding the batch: %w", l.id, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+modelPath(model, version)+"/infer", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: worker %q: %w", ErrBackend, l.id, err)
	}
	hr.Header = header
	traceHeaders(ctx, hr.Header)
	a, err := l.do(ctx, hr)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, l.statusError(a.status, a.body)
	}
	out, err := codec.decode(a.header, a.body)
	return checked(l.id, out, err)
}

// modelPath is the protocol's path of a model, with its version if any.
func modelPath(model, version string) string {
	p := "/v2/models/" + url.PathEscape(model)
	if version != "" {
		p += "/versions/" + url.PathEscape(version)
	}
	return p
}

// traceHeaders copies the W3C trace context that tracing put in ctx's
// outgoing gRPC metadata (see inject) to h: none when tracing is off.
func traceHeaders(ctx context.Context, h http.Header) {
	md, ok := metadata.FromOutgoingContext(ctx)
	if !ok {
		return
	}
	for _, k := range []string{"traceparent", "tracestate"} {
		if v := md.Get(k); len(v) > 0 {
			h.Set(k, v[0])
		}
	}
}

// httpAnswer is a worker's whole HTTP answer.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

// do sends hr and reads the whole answer, at most maxMessageBytes: the
// connection goes back to the pool for the next batch.
func (l *httpLink) do(ctx context.Context, hr *http.Request) (httpAnswer, error) {
	resp, err := l.client.Do(hr)
	if err != nil {
		return httpAnswer{}, l.transportError(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMessageBytes+1))
	switch {
	case err != nil:
		return httpAnswer{}, l.transportError(ctx, err)
	case len(body) > maxMessageBytes:
		return httpAnswer{}, fmt.Errorf("%w: worker %q: answer over %d bytes", ErrBackend, l.id, maxMessageBytes)
	}
	return httpAnswer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// transportError classifies a failure to send or receive: ctx's own
// error when it ended, else an unreachable worker.
func (l *httpLink) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("worker %q: %w", l.id, ctx.Err())
	}
	return fmt.Errorf("%w: worker %q %w: %w", ErrBackend, l.id, errUnreachable, err)
}

// statusError classifies an answer other than 200 by its status, with the
// message of its {"error": ...} body when it has one.
func (l *httpLink) statusError(status int, body []byte) error {
	var eb oip.ErrorBody
	msg := string(body)
	if json.Unmarshal(body, &eb) == nil && eb.Error != "" {
		msg = eb.Error
	}
	switch status {
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %s", oip.ErrInvalid, msg)
	case http.StatusNotFound:
		return fmt.Errorf("%w: worker %q: %s", ErrUnknownModel, l.id, msg)
	case http.StatusRequestEntityTooLarge:
		return fmt.Errorf("%w: worker %q: %s", batcher.ErrTooLarge, l.id, msg)
	}
	return fmt.Errorf("%w: worker %q: status %d: %s", ErrBackend, l.id, status, msg)
}

// ready returns nil when GET /v2/health/ready answers 200.
func (l *httpLink) ready(ctx context.Context) error {
	return httpProber{client: l.client, scheme: ""}.probeURL(ctx, l.id, l.base+"/v2/health/ready")
}

func (l *httpLink) metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	a, err := l.get(ctx, modelPath(model, ""))
	switch {
	case err != nil:
		return nil, err
	case a.status != http.StatusOK:
		return nil, l.statusError(a.status, a.body)
	}
	var md oip.ModelMetadata
	if err := json.Unmarshal(a.body, &md); err != nil {
		return nil, fmt.Errorf("%w: worker %q: bad metadata of %q: %v", ErrBackend, l.id, model, err)
	}
	return &md, nil
}

// config asks GET /v2/models/{model}/config for Triton's model
// configuration, as JSON with its proto's field names. A worker without
// the extension answers 404, 405 or 501: it serves no configuration.
func (l *httpLink) config(ctx context.Context, model string) (*inferencepb.ModelConfig, error) {
	body, served, err := l.extension(l.get(ctx, modelPath(model, "")+"/config"))
	if !served || err != nil {
		return nil, err
	}
	var cfg inferencepb.ModelConfig
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, &cfg); err != nil {
		return nil, fmt.Errorf("%w: worker %q: bad configuration of %q: %v", ErrBackend, l.id, model, err)
	}
	return &cfg, nil
}

// index asks POST /v2/repository/index for the ready models. A worker
// without the extension answers 404, 405 or 501: it serves no index.
func (l *httpLink) index(ctx context.Context) ([]string, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+"/v2/repository/index", strings.NewReader(`{"ready":true}`))
	if err != nil {
		return nil, fmt.Errorf("%w: worker %q: %w", ErrBackend, l.id, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	body, served, err := l.extension(l.do(ctx, hr))
	if !served || err != nil {
		return nil, err
	}
	var entries []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &entries); err != nil {
		return nil, fmt.Errorf("%w: worker %q: bad repository index: %v", ErrBackend, l.id, err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name
	}
	return sortedNames(names), nil
}

// get sends GET path and reads the whole answer, as do does.
func (l *httpLink) get(ctx context.Context, path string) (httpAnswer, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		return httpAnswer{}, fmt.Errorf("%w: worker %q: %w", ErrBackend, l.id, err)
	}
	return l.do(ctx, hr)
}

// resetBackoff does nothing: an HTTP link dials on demand.
func (l *httpLink) resetBackoff() {}

// close closes the idle connections of the worker's client.
func (l *httpLink) close() { l.client.CloseIdleConnections() }

// notServed reports whether status is how a worker says it lacks an
// endpoint of an extension: 404, 405 or 501.
// extension returns the body of a worker's answer a to a call of an
// optional extension, or err; served is false when the worker does not
// serve the extension (notServed). A status other than 200 is an error.
func (l *httpLink) extension(a httpAnswer, err error) (body []byte, served bool, _ error) {
	switch {
	case err != nil:
		return nil, false, err
	case notServed(a.status):
		return nil, false, nil
	case a.status != http.StatusOK:
		return nil, false, l.statusError(a.status, a.body)
	}
	return a.body, true, nil
}

func notServed(status int) bool {
	return status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented
}
