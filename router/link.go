package router

import (
	"context"
	"fmt"
	"slices"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// maxMessageBytes bounds a batch request or response on the worker link.
const maxMessageBytes = 256 << 20

// reconnect is the gRPC link's reconnection back-off: short, since a
// worker that returns from an ejection should be reachable at once.
var reconnect = grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
	MinConnectTimeout: time.Second,
}

// Protocol is how the router talks to a worker.
type Protocol string

// The worker protocols: the Open Inference Protocol v2 over gRPC or over
// HTTP/1.1 (keep-alive connections; binary tensors where the worker's
// GET /v2 lists binary_tensor_data, else JSON bodies).
const (
	ProtocolGRPC Protocol = "grpc"
	ProtocolHTTP Protocol = "http"
)

// link is one worker's connection: how batches, checks and metadata
// requests reach it. Errors the worker blames on the input wrap
// oip.ErrInvalid, on the model ErrUnknownModel, on the request's size
// batcher.ErrTooLarge; transport failures and
// worker faults wrap ErrBackend, and errUnreachable too when the worker
// could not be reached at all; deadlines and cancellations wrap ctx's
// error.
type link interface {
	// infer sends one (possibly merged) request; the answer is valid.
	infer(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error)
	// ready returns nil when the worker says it is ready.
	ready(ctx context.Context) error
	// metadata asks for a model's metadata.
	metadata(ctx context.Context, model string) (*oip.ModelMetadata, error)
	// config asks for the worker's own configuration of a model (Triton's
	// model configuration extension); nil, without error, when the
	// worker serves none.
	config(ctx context.Context, model string) (*inferencepb.ModelConfig, error)
	// index asks for the names of the models the worker's repository
	// index lists as ready, sorted, each once; nil, without error, when
	// the worker serves no index.
	index(ctx context.Context) ([]string, error)
	// resetBackoff lets a link that waits before reconnecting try at once.
	resetBackoff()
	// close releases the link; nothing may be in flight.
	close()
}

var (
	_ link = (*grpcLink)(nil)
	_ link = (*httpLink)(nil)
)

// grpcLink is a worker's gRPC ModelInfer.
type grpcLink struct {
	id     string
	conn   *grpc.ClientConn
	client inferencepb.GRPCInferenceServiceClient
}

func dialGRPC(ep Endpoint, creds credentials.TransportCredentials) (*grpcLink, error) {
	if ep.GRPC == "" {
		return nil, fmt.Errorf("router: worker %q: %w: no gRPC address", ep.ID, ErrConfig)
	}
	conn, err := grpc.NewClient("passthrough:///"+ep.GRPC,
		grpc.WithTransportCredentials(creds),
		grpc.WithConnectParams(reconnect),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxMessageBytes),
			grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		return nil, fmt.Errorf("router: worker %q at %s: %w", ep.ID, ep.GRPC, err)
	}
	return &grpcLink{id: ep.ID, conn: conn, client: inferencepb.NewGRPCInferenceServiceClient(conn)}, nil
}

func (l *grpcLink) infer(ctx context.Context, model, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	resp, err := l.client.ModelInfer(ctx, oip.RequestToProto(model, version, req))
	if err != nil {
		return nil, l.classify(err)
	}
	out, err := oip.ResponseFromProto(resp)
	return checked(l.id, out, err)
}

// checked returns out if it is a valid response, else an error blaming
// worker id's answer, not the caller's request.
func checked(id string, out *oip.InferenceResponse, err error) (*oip.InferenceResponse, error) {
	if err == nil {
		err = out.Validate()
	}
	if err != nil {
		// %v, not %w: the worker's answer is at fault, not the caller's
		// request, so the error must not match oip.ErrInvalid.
		return nil, fmt.Errorf("%w: worker %q: bad response: %v", ErrBackend, id, err)
	}
	return out, nil
}

// classify turns a gRPC error from the worker into one the gateway can map
// to a client status.
func (l *grpcLink) classify(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%w: worker %q: %w", ErrBackend, l.id, err)
	}
	switch st.Code() {
	case codes.InvalidArgument, codes.OutOfRange:
		return fmt.Errorf("%w: %s", oip.ErrInvalid, st.Message())
	case codes.NotFound:
		return fmt.Errorf("%w: worker %q: %s", ErrUnknownModel, l.id, st.Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("worker %q: %w", l.id, context.DeadlineExceeded)
	case codes.Canceled:
		return fmt.Errorf("worker %q: %w", l.id, context.Canceled)
	case codes.Unavailable:
		return fmt.Errorf("%w: worker %q %w: %s", ErrBackend, l.id, errUnreachable, st.Message())
	case codes.ResourceExhausted:
		// A message over the worker's limit (or the link's own): the
		// request's fault, which ejects no one and is retried in halves.
		return fmt.Errorf("%w: worker %q: %s", batcher.ErrTooLarge, l.id, st.Message())
	}
	return fmt.Errorf("%w: worker %q: %s: %s", ErrBackend, l.id, st.Code(), st.Message())
}

// ready asks the worker over gRPC whether it is ready.
func (l *grpcLink) ready(ctx context.Context) error {
	resp, err := l.client.ServerReady(ctx, &inferencepb.ServerReadyRequest{})
	switch {
	case err != nil:
		return fmt.Errorf("router: probe %q: %w", l.id, err)
	case !resp.GetReady():
		return fmt.Errorf("router: probe %q: %w", l.id, errNotReady)
	}
	return nil
}

func (l *grpcLink) metadata(ctx context.Context, model string) (*oip.ModelMetadata, error) {
	resp, err := l.client.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: model})
	if err != nil {
		return nil, l.classify(err)
	}
	return oip.MetadataFromProto(resp), nil
}

func (l *grpcLink) config(ctx context.Context, model string) (*inferencepb.ModelConfig, error) {
	resp, err := l.client.ModelConfig(ctx, &inferencepb.ModelConfigRequest{Name: model})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil
	}
	if err != nil {
		return nil, l.classify(err)
	}
	return resp.GetConfig(), nil
}

func (l *grpcLink) index(ctx context.Context) ([]string, error) {
	resp, err := l.client.RepositoryIndex(ctx, &inferencepb.RepositoryIndexRequest{Ready: true})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil
	}
	if err != nil {
		return nil, l.classify(err)
	}
	names := make([]string, 0, len(resp.GetModels()))
	for _, m := range resp.GetModels() {
		names = append(names, m.GetName())
	}
	return sortedNames(names), nil
}

// sortedNames sorts names and drops repeats: an index lists a model once
// per version.
func sortedNames(names []string) []string {
	slices.Sort(names)
	return slices.Compact(names)
}

func (l *grpcLink) resetBackoff() { l.conn.ResetConnectBackoff() }

// close closes the connection; it fails only on one already closed.
func (l *grpcLink) close() { _ = l.conn.Close() }
