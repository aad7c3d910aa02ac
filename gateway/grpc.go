package gateway

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // registers the gzip compressor
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// grpcService implements inference.GRPCInferenceService over the gateway.
type grpcService struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	g *Gateway
}

var _ inferencepb.GRPCInferenceServiceServer = (*grpcService)(nil)

// RegisterGRPC registers every gRPC service of the gateway on s: the
// inference service (with Triton's extensions), grpc.health.v1.Health
// (the server, the inference service and each model by name), and, when
// s can list its services (a *grpc.Server can), server reflection, so
// that grpcurl needs no proto files. Importing the gateway registers the
// gzip compressor, so clients may compress their messages and ask for
// compressed answers.
func (g *Gateway) RegisterGRPC(s grpc.ServiceRegistrar) {
	inferencepb.RegisterGRPCInferenceServiceServer(s, &grpcService{g: g})
	healthpb.RegisterHealthServer(s, &healthService{g: g})
	if rs, ok := s.(reflection.GRPCServer); ok {
		reflection.Register(rs)
	}
}

func (s *grpcService) ServerLive(context.Context, *inferencepb.ServerLiveRequest) (*inferencepb.ServerLiveResponse, error) {
	return &inferencepb.ServerLiveResponse{Live: true}, nil
}

func (s *grpcService) ServerReady(context.Context, *inferencepb.ServerReadyRequest) (*inferencepb.ServerReadyResponse, error) {
	return &inferencepb.ServerReadyResponse{Ready: s.g.serverReady()}, nil
}

func (s *grpcService) ModelReady(_ context.Context, req *inferencepb.ModelReadyRequest) (*inferencepb.ModelReadyResponse, error) {
	if _, ok := s.g.router.Model(req.GetName()); !ok {
		return nil, grpcError(errUnknownModel(req.GetName()))
	}
	return &inferencepb.ModelReadyResponse{Ready: s.g.notReady(req.GetName()) == ""}, nil
}

func (s *grpcService) ServerMetadata(context.Context, *inferencepb.ServerMetadataRequest) (*inferencepb.ServerMetadataResponse, error) {
	md := s.g.metadata()
	return &inferencepb.ServerMetadataResponse{Name: md.Name, Version: md.Version, Extensions: md.Extensions}, nil
}

func (s *grpcService) ModelMetadata(ctx context.Context, req *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	md, err := s.g.metadataOf(ctx, req.GetName())
	if err != nil {
		return nil, grpcError(err)
	}
	return oip.MetadataToProto(md), nil
}

// ModelInfer serves an inference call. A call answered by its model's
// fallback carries the header metadata HeaderFallbackFrom and
// HeaderFallbackReason; one answered from the response cache, HeaderCache;
// one under a budget, HeaderBudgetState. Every answer carries its cost in
// the trailer HeaderCost; a call refused for its budget, the header
// HeaderBudget. The message's bytes count against the bound on bytes of
// bodies in flight until the call is answered (UNAVAILABLE over it).
func (s *grpcService) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	c := &claim{from: s.g.bodyBytes}
	defer c.release()
	decode := s.g.claimedCall(md, req, c)
	resp, fb, err := s.g.handle(ctx, req.GetModelName(), md.Get, decode)
	if err != nil {
		if errors.Is(err, ErrBudgetExhausted) {
			_ = grpc.SetHeader(ctx, metadata.Pairs(HeaderBudget, budget.Exhausted.String()))
		}
		return nil, grpcError(err)
	}
	fb.markGRPC(ctx)
	if fb.from != "" {
		// Fails only once headers are sent, which a unary call does last.
		_ = grpc.SetHeader(ctx, metadata.Pairs(HeaderFallbackFrom, fb.from, HeaderFallbackReason, fb.reason))
	}
	if fb.cacheHit {
		_ = grpc.SetHeader(ctx, metadata.Pairs(HeaderCache, "hit"))
	}
	return oip.ResponseToProto(resp), nil
}

// grpcCall decodes a ModelInfer request with metadata md, within b's
// limit on input elements; its priority is the admission's, and the gRPC
// deadline travels in the context. The typed contents of req's inputs
// are dropped once converted (see dropContents).
func grpcCall(md metadata.MD, req *inferencepb.ModelInferRequest, b bounds) (call, error) {
	c := call{model: req.GetModelName(), version: req.GetModelVersion()}
	var err error
	if c.req, err = oip.RequestFromProto(req); err != nil {
		return c, err
	}
	dropContents(req)
	if err = c.req.Validate(); err != nil {
		return c, err
	}
	if err = b.checkElements(c.req); err != nil {
		return c, err
	}
	if err = checkSupported(c.req); err != nil {
		return c, err
	}
	c.timeout, err = parseTimeout(first(md, HeaderTimeout), c.req.Parameters)
	return c, err
}

// claimedCall decodes a ModelInfer request as grpcCall does, once its
// message's bytes are taken in c: over the gateway's bound on bytes of
// bodies in flight it fails with ErrOverloaded.
func (g *Gateway) claimedCall(md metadata.MD, req *inferencepb.ModelInferRequest, c *claim) decoder {
	return func(context.Context) (call, error) {
		if err := c.resize(int64(proto.Size(req))); err != nil {
			return call{model: req.GetModelName()}, err
		}
		return grpcCall(md, req, g.bounds)
	}
}

// dropContents lets the collector have the typed contents of req's
// inputs, which RequestFromProto converted into the request's tensors
// (BYTES elements, which the tensors share, aside): a call then holds its
// inputs once, not twice, while it waits for its worker.
func dropContents(req *inferencepb.ModelInferRequest) {
	for _, in := range req.GetInputs() {
		in.Contents = nil
	}
}

// first returns the first value of a metadata key, or "".
func first(md metadata.MD, key string) string {
	if v := md.Get(strings.ToLower(key)); len(v) > 0 {
		return v[0]
	}
	return ""
}

// grpcError turns err into a status with the code the error table gives,
// and a RetryInfo detail when the client should wait before retrying.
func grpcError(err error) error {
	f := classify(err)
	st := status.New(f.grpc, err.Error())
	if f.retryAfter > 0 {
		if withInfo, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(f.retryAfter)}); derr == nil {
			st = withInfo
		}
	}
	return st.Err()
}
