package router

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// maxMessageBytes bounds a batch request or response on the worker link.
const maxMessageBytes = 256 << 20

// reconnect is the worker link's reconnection back-off: short, since a
// worker that returns from an ejection should be reachable at once.
var reconnect = grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
	MinConnectTimeout: time.Second,
}

// Endpoint is one worker's address as its driver reports it.
type Endpoint struct {
	// ID names the worker uniquely within its pool.
	ID string
	// GRPC is the host:port of the worker's gRPC listener.
	GRPC string
	// HTTP is the host:port of the worker's HTTP listener; empty means
	// probes use gRPC ServerReady.
	HTTP string
}

// worker is a client of one worker process. It implements
// batcher.Dispatcher over the worker's gRPC ModelInfer and reports each
// batch's outcome to its pool.
type worker struct {
	endpoint Endpoint
	pool     *Pool
	conn     *grpc.ClientConn
	client   inferencepb.GRPCInferenceServiceClient

	// Guarded by pool.mu.
	health   health
	attached bool          // its pullers are in the batcher
	removed  bool          // SetEndpoints dropped it
	timer    batcher.Timer // the probe at the end of an ejection
	inflight int           // batches being dispatched
	closed   bool          // conn is closed: removed, nothing in flight
	served   int           // good batches since it joined the pool
	pace     pace          // its batches' latency over the curve's (slow.go)
}

var _ batcher.Dispatcher = (*worker)(nil)

func dialWorker(ep Endpoint, p *Pool) (*worker, error) {
	conn, err := grpc.NewClient("passthrough:///"+ep.GRPC,
		grpc.WithTransportCredentials(p.creds),
		grpc.WithConnectParams(reconnect),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxMessageBytes),
			grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		return nil, fmt.Errorf("router: worker %q at %s: %w", ep.ID, ep.GRPC, err)
	}
	return &worker{endpoint: ep, pool: p, conn: conn, client: inferencepb.NewGRPCInferenceServiceClient(conn)}, nil
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
	rows, rerr := req.Rows()
	if rerr != nil {
		rows = 1
	}
	callCtx, span := w.pool.tracing.startCall(ctx, w, model, rows)
	start := w.pool.clock.Now()
	out, err := w.call(callCtx, model, version, req)
	took := w.pool.clock.Now().Sub(start)
	w.pool.done(w, int(rows), took, err)
	if w.pool.models != nil {
		w.pool.models.executed(model, rows, took)
	}
	w.pool.tracing.endCall(span, err)
	return out, err
}

func (w *worker) call(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	resp, err := w.client.ModelInfer(ctx, oip.RequestToProto(model, version, req))
	if err != nil {
		return nil, w.classify(err)
	}
	out, err := oip.ResponseFromProto(resp)
	if err == nil {
		err = out.Validate()
	}
	if err != nil {
		// %v, not %w: the worker's answer is at fault, not the caller's
		// request, so the error must not match oip.ErrInvalid.
		return nil, fmt.Errorf("%w: worker %q: bad response: %v", ErrBackend, w.endpoint.ID, err)
	}
	return out, nil
}

// classify turns a gRPC error from the worker into one the gateway can map
// to a client status.
func (w *worker) classify(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%w: worker %q: %w", ErrBackend, w.endpoint.ID, err)
	}
	switch st.Code() {
	case codes.InvalidArgument, codes.OutOfRange:
		return fmt.Errorf("%w: %s", oip.ErrInvalid, st.Message())
	case codes.NotFound:
		return fmt.Errorf("%w: worker %q: %s", ErrUnknownModel, w.endpoint.ID, st.Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("worker %q: %w", w.endpoint.ID, context.DeadlineExceeded)
	case codes.Canceled:
		return fmt.Errorf("worker %q: %w", w.endpoint.ID, context.Canceled)
	case codes.Unavailable:
		return fmt.Errorf("%w: worker %q %w: %s", ErrBackend, w.endpoint.ID, errUnreachable, st.Message())
	}
	return fmt.Errorf("%w: worker %q: %s: %s", ErrBackend, w.endpoint.ID, st.Code(), st.Message())
}

// probeGRPC asks the worker over gRPC whether it is ready.
func (w *worker) probeGRPC(ctx context.Context) error {
	resp, err := w.client.ServerReady(ctx, &inferencepb.ServerReadyRequest{})
	switch {
	case err != nil:
		return fmt.Errorf("router: probe %q: %w", w.endpoint.ID, err)
	case !resp.GetReady():
		return fmt.Errorf("router: probe %q: %w", w.endpoint.ID, errNotReady)
	}
	return nil
}

// begin counts a batch in flight; false once the connection is closed,
// which happens only to a removed worker, for a batch formed just before
// its removal.
func (w *worker) begin() bool {
	w.pool.mu.Lock()
	defer w.pool.mu.Unlock()
	if w.closed {
		return false
	}
	w.inflight++
	return true
}

// end counts a batch done, and retires a removed worker's connection
// after its last batch.
func (w *worker) end() {
	w.pool.mu.Lock()
	defer w.pool.mu.Unlock()
	w.inflight--
	w.retire()
}

// retire closes the connection of a removed worker once the batches in
// flight have finished; until then, the last of them does. pre:
// pool.mu held.
func (w *worker) retire() {
	if !w.removed || w.inflight > 0 || w.closed {
		return
	}
	w.closed = true
	// Close fails only on a connection already closed; nothing to do then.
	go func() { _ = w.conn.Close() }()
}

// metadata asks the worker for a model's metadata.
func (w *worker) metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	resp, err := w.client.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: model})
	if err != nil {
		return nil, w.classify(err)
	}
	return oip.MetadataFromProto(resp), nil
}
