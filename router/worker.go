package router

import (
	"context"
	"fmt"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Endpoint is one worker's address as its driver reports it.
type Endpoint struct {
	// ID names the worker uniquely within its pool.
	ID string
	// GRPC is the host:port of the worker's gRPC listener; it may be
	// empty for a worker reached over HTTP.
	GRPC string
	// HTTP is the host:port of the worker's HTTP listener; empty means
	// probes use gRPC ServerReady.
	HTTP string
	// Protocol is how batches reach the worker: ProtocolGRPC (the zero
	// value "" means it too) through GRPC, or ProtocolHTTP through HTTP.
	Protocol Protocol
}

// worker is a client of one worker process. It implements
// batcher.Dispatcher over the worker's link and reports each batch's
// outcome to its pool.
type worker struct {
	endpoint Endpoint
	pool     *Pool
	link     link
	// web checks its HTTP ready endpoint, and carries an HTTP link's
	// batches; zero without an HTTP address.
	web httpProber

	// Guarded by pool.mu.
	health   health
	attached bool              // its pullers are in the batcher
	removed  bool              // SetEndpoints dropped it
	timer    batcher.Timer     // the probe at the end of an ejection
	inflight int               // batches being dispatched
	closed   bool              // link is closed: removed, nothing in flight
	served   int               // good batches since it joined the pool
	pace     pace              // its batches' latency over the curve's (slow.go)
	models   map[string]string // each model asked of: "" it serves it, else why not
	// unconfigured lists the models its repository index has ready that
	// no config names, sorted.
	unconfigured []string
}

var _ batcher.Dispatcher = (*worker)(nil)

// dialWorker makes the client of ep, over the link its protocol names.
func dialWorker(ep Endpoint, p *Pool) (*worker, error) {
	var web httpProber
	if ep.HTTP != "" {
		web = p.web.prober()
	}
	var l link
	var err error
	switch ep.Protocol {
	case ProtocolGRPC, "":
		l, err = dialGRPC(ep, p.creds)
	case ProtocolHTTP:
		l, err = dialHTTP(ep, web)
	default:
		err = fmt.Errorf("router: worker %q: %w: unknown protocol %q", ep.ID, ErrConfig, ep.Protocol)
	}
	if err != nil {
		return nil, err
	}
	return &worker{endpoint: ep, pool: p, link: l, web: web}, nil
}

// Dispatch sends one (possibly merged) request to the worker. Errors the
// worker blames on the input wrap oip.ErrInvalid; transport failures and
// worker faults wrap ErrBackend. The batch's latency and outcome go to the
// pool before Dispatch returns.
func (w *worker) Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	if !w.begin() {
		return nil, fmt.Errorf("%w: worker %q was removed", ErrBackend, w.endpoint.ID)
	}
	defer w.end()
	size := batchSize(req)
	callCtx, span := w.pool.tracing.startCall(ctx, w, model, int64(size.Rows))
	start := w.pool.clock.Now()
	out, err := w.link.infer(callCtx, model, version, req)
	w.pool.done(w, model, size, w.pool.clock.Now().Sub(start), err)
	w.pool.tracing.endCall(span, err)
	return out, err
}

// begin counts a batch in flight; false once the link is closed, which
// happens only to a removed worker, for a batch formed just before its
// removal.
func (w *worker) begin() bool {
	w.pool.mu.Lock()
	defer w.pool.mu.Unlock()
	if w.closed {
		return false
	}
	w.inflight++
	return true
}

// end counts a batch done, and retires a removed worker's link after its
// last batch.
func (w *worker) end() {
	w.pool.mu.Lock()
	defer w.pool.mu.Unlock()
	w.inflight--
	w.retire()
}

// retire closes the link of a removed worker once the batches in flight
// have finished; until then, the last of them does. pre: pool.mu held.
func (w *worker) retire() {
	if !w.removed || w.inflight > 0 || w.closed {
		return
	}
	w.closed = true
	go func() {
		w.link.close()
		if w.web.client != nil {
			w.web.client.CloseIdleConnections()
		}
	}()
}
