package worker

import (
	"context"
	"fmt"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// GRPCService returns the gRPC side of the Open Inference Protocol v2,
// inference.GRPCInferenceService, with the same behaviour as Handler.
// Errors carry codes NotFound, InvalidArgument, Unavailable or Internal;
// ModelInfer answers with raw_output_contents.
func (s *Server) GRPCService() inferencepb.GRPCInferenceServiceServer {
	return grpcService{s: s}
}

type grpcService struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	s *Server
}

var _ inferencepb.GRPCInferenceServiceServer = grpcService{}

func (grpcService) ServerLive(context.Context, *inferencepb.ServerLiveRequest) (*inferencepb.ServerLiveResponse, error) {
	return &inferencepb.ServerLiveResponse{Live: true}, nil
}

func (g grpcService) ServerReady(context.Context, *inferencepb.ServerReadyRequest) (*inferencepb.ServerReadyResponse, error) {
	return &inferencepb.ServerReadyResponse{Ready: g.s.Ready()}, nil
}

func (g grpcService) ModelReady(_ context.Context, in *inferencepb.ModelReadyRequest) (*inferencepb.ModelReadyResponse, error) {
	ready, err := g.s.ModelReady(in.GetName(), in.GetVersion())
	if err != nil {
		return nil, grpcError(err)
	}
	return &inferencepb.ModelReadyResponse{Ready: ready}, nil
}

func (g grpcService) ServerMetadata(context.Context, *inferencepb.ServerMetadataRequest) (*inferencepb.ServerMetadataResponse, error) {
	meta := g.s.ServerMetadata()
	return &inferencepb.ServerMetadataResponse{Name: meta.Name, Version: meta.Version, Extensions: meta.Extensions}, nil
}

func (g grpcService) ModelMetadata(_ context.Context, in *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	meta, err := g.s.ModelMetadata(in.GetName(), in.GetVersion())
	if err != nil {
		return nil, grpcError(err)
	}
	return &inferencepb.ModelMetadataResponse{
		Name:     meta.Name,
		Versions: meta.Versions,
		Platform: meta.Platform,
		Inputs:   tensorMetadataToProto(meta.Inputs),
		Outputs:  tensorMetadataToProto(meta.Outputs),
	}, nil
}

func tensorMetadataToProto(ts []oip.TensorMetadata) []*inferencepb.ModelMetadataResponse_TensorMetadata {
	out := make([]*inferencepb.ModelMetadataResponse_TensorMetadata, len(ts))
	for i, t := range ts {
		out[i] = &inferencepb.ModelMetadataResponse_TensorMetadata{Name: t.Name, Datatype: t.Datatype, Shape: t.Shape}
	}
	return out
}

func (g grpcService) ModelInfer(ctx context.Context, in *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	m, err := g.s.admit(in.GetModelName(), in.GetModelVersion())
	if err != nil {
		return nil, grpcError(err)
	}
	req, err := oip.RequestFromProto(in)
	if err != nil {
		return nil, grpcError(fmt.Errorf("model %q: %w", m.meta.Name, err))
	}
	resp, err := g.s.infer(ctx, m, req)
	switch {
	case err != nil:
		return nil, grpcError(err)
	case g.s.garbage != nil:
		return g.s.garbage.proto(resp), nil
	}
	return oip.ResponseToProto(resp), nil
}
