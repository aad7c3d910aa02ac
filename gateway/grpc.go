package gateway

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// grpcService implements inference.GRPCInferenceService over the gateway.
type grpcService struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	g *Gateway
}

var _ inferencepb.GRPCInferenceServiceServer = (*grpcService)(nil)

// RegisterGRPC registers the inference service on s.
func (g *Gateway) RegisterGRPC(s grpc.ServiceRegistrar) {
	inferencepb.RegisterGRPCInferenceServiceServer(s, &grpcService{g: g})
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
	return &inferencepb.ModelReadyResponse{Ready: s.g.ready(req.GetName())}, nil
}

func (s *grpcService) ServerMetadata(context.Context, *inferencepb.ServerMetadataRequest) (*inferencepb.ServerMetadataResponse, error) {
	md := s.g.metadata()
	return &inferencepb.ServerMetadataResponse{Name: md.Name, Version: md.Version, Extensions: md.Extensions}, nil
}

func (s *grpcService) ModelMetadata(ctx context.Context, req *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	md, err := s.g.router.Metadata(ctx, req.GetName())
	if err != nil {
		return nil, grpcError(err)
	}
	return oip.MetadataToProto(md), nil
}

func (s *grpcService) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	c, err := grpcCall(ctx, req)
	if err != nil {
		return nil, grpcError(err)
	}
	resp, err := s.g.infer(ctx, c)
	if err != nil {
		return nil, grpcError(err)
	}
	return oip.ResponseToProto(resp), nil
}

// grpcCall decodes a ModelInfer request; the gRPC deadline travels in ctx.
func grpcCall(ctx context.Context, req *inferencepb.ModelInferRequest) (call, error) {
	c := call{model: req.GetModelName(), version: req.GetModelVersion()}
	var err error
	if c.req, err = oip.RequestFromProto(req); err != nil {
		return c, err
	}
	if err = c.req.Validate(); err != nil {
		return c, err
	}
	md, _ := metadata.FromIncomingContext(ctx)
	if c.timeout, err = parseTimeout(first(md, HeaderTimeout), c.req.Parameters); err != nil {
		return c, err
	}
	c.priority, err = parsePriority(first(md, HeaderPriority), batcher.Critical, batcher.Normal)
	return c, err
}

// first returns the first value of a metadata key, or "".
func first(md metadata.MD, key string) string {
	if v := md.Get(strings.ToLower(key)); len(v) > 0 {
		return v[0]
	}
	return ""
}

// grpcError turns err into a status with the code the error table gives.
func grpcError(err error) error {
	return status.Error(classify(err).grpc, err.Error())
}
