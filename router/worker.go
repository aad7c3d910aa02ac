package router

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// maxMessageBytes bounds a batch request or response on the worker link.
const maxMessageBytes = 256 << 20

// Endpoint is one worker's address as its driver reports it.
type Endpoint struct {
	// ID names the worker uniquely within its pool.
	ID string
	// GRPC is the host:port of the worker's gRPC listener.
	GRPC string
	// HTTP is the host:port of the worker's HTTP listener.
	HTTP string
}

// worker is a client of one worker process. It implements
// batcher.Dispatcher over the worker's gRPC ModelInfer.
type worker struct {
	endpoint Endpoint
	conn     *grpc.ClientConn
	client   inferencepb.GRPCInferenceServiceClient
	inflight sync.WaitGroup
}

var _ batcher.Dispatcher = (*worker)(nil)

func dialWorker(ep Endpoint) (*worker, error) {
	conn, err := grpc.NewClient("passthrough:///"+ep.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxMessageBytes),
			grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		return nil, fmt.Errorf("router: worker %q at %s: %w", ep.ID, ep.GRPC, err)
	}
	return &worker{endpoint: ep, conn: conn, client: inferencepb.NewGRPCInferenceServiceClient(conn)}, nil
}

// Dispatch sends one (possibly merged) request to the worker. Errors the
// worker blames on the input wrap oip.ErrInvalid; transport failures and
// worker faults wrap ErrBackend.
func (w *worker) Dispatch(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	w.inflight.Add(1)
	defer w.inflight.Done()
	resp, err := w.client.ModelInfer(ctx, oip.RequestToProto(model, version, req))
	if err != nil {
		return nil, w.classify(err)
	}
	out, err := oip.ResponseFromProto(resp)
	if err != nil {
		return nil, fmt.Errorf("%w: worker %q: bad response: %w", ErrBackend, w.endpoint.ID, err)
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
	}
	return fmt.Errorf("%w: worker %q: %s: %s", ErrBackend, w.endpoint.ID, st.Code(), st.Message())
}

// retire closes the connection once the batches in flight have finished.
func (w *worker) retire() {
	go func() {
		w.inflight.Wait()
		// Close fails only on a connection already closed; nothing to do then.
		_ = w.conn.Close()
	}()
}

// metadata asks the worker for a model's metadata.
func (w *worker) metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	resp, err := w.client.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: model})
	if err != nil {
		return nil, w.classify(err)
	}
	return oip.MetadataFromProto(resp), nil
}
