package gateway

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// streamWindow bounds the requests of one ModelStreamInfer stream in
// progress at once; beyond it the stream reads no more until one is
// answered, so a fast client is slowed rather than buffered.
const streamWindow = 256

// ModelStreamInfer serves a stream of inference requests: each message is
// one call — authenticated, limited, prioritized and timed on its own,
// batched like a unary call — answered by one message carrying its id,
// in the order the calls complete. A failed call is answered with
// error_message, and the stream goes on. When the client cancels the
// stream, its calls still queued leave their queues.
func (s *grpcService) ModelStreamInfer(stream grpc.BidiStreamingServer[inferencepb.ModelInferRequest, inferencepb.ModelStreamInferResponse]) error {
	ctx := stream.Context()
	md, _ := metadata.FromIncomingContext(ctx)
	var (
		send    sync.Mutex
		sendErr error
		wg      sync.WaitGroup
	)
	slots := make(chan struct{}, streamWindow)
	defer wg.Wait()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			out := s.streamOne(ctx, md, req)
			send.Lock()
			defer send.Unlock()
			if sendErr == nil {
				sendErr = stream.Send(out)
			}
		})
	}
}

// streamOne serves one request of a stream; its message's bytes count
// against the bound on bytes of bodies in flight until it is answered.
func (s *grpcService) streamOne(ctx context.Context, md metadata.MD, req *inferencepb.ModelInferRequest) *inferencepb.ModelStreamInferResponse {
	c := &claim{from: s.g.bodyBytes}
	defer c.release()
	resp, _, err := s.g.handle(ctx, req.GetModelName(), md.Get, s.g.claimedCall(md, req, c))
	if err != nil {
		return &inferencepb.ModelStreamInferResponse{
			ErrorMessage:  err.Error(),
			InferResponse: &inferencepb.ModelInferResponse{ModelName: req.GetModelName(), ModelVersion: req.GetModelVersion(), Id: req.GetId()},
		}
	}
	return &inferencepb.ModelStreamInferResponse{InferResponse: oip.ResponseToProto(resp)}
}

// ModelConfig answers with the model's configuration (see modelConfig).
func (s *grpcService) ModelConfig(ctx context.Context, req *inferencepb.ModelConfigRequest) (*inferencepb.ModelConfigResponse, error) {
	cfg, err := s.g.modelConfig(ctx, req.GetName())
	if err != nil {
		return nil, grpcError(err)
	}
	return &inferencepb.ModelConfigResponse{Config: cfg}, nil
}

// ModelStatistics answers with one model's statistics, or every model's
// when the name is empty.
func (s *grpcService) ModelStatistics(_ context.Context, req *inferencepb.ModelStatisticsRequest) (*inferencepb.ModelStatisticsResponse, error) {
	st, err := s.g.modelStatistics(req.GetName(), req.GetVersion())
	if err != nil {
		return nil, grpcError(err)
	}
	return st, nil
}

// RepositoryIndex lists the models with their state, READY or
// UNAVAILABLE with the reason.
func (s *grpcService) RepositoryIndex(_ context.Context, req *inferencepb.RepositoryIndexRequest) (*inferencepb.RepositoryIndexResponse, error) {
	index := s.g.repositoryIndex(req.GetReady())
	out := &inferencepb.RepositoryIndexResponse{Models: make([]*inferencepb.RepositoryIndexResponse_ModelIndex, len(index))}
	for i, e := range index {
		out.Models[i] = &inferencepb.RepositoryIndexResponse_ModelIndex{Name: e.Name, Version: e.Version, State: e.State, Reason: e.Reason}
	}
	return out, nil
}

func (s *grpcService) RepositoryModelLoad(context.Context, *inferencepb.RepositoryModelLoadRequest) (*inferencepb.RepositoryModelLoadResponse, error) {
	return nil, grpcError(unsupported(whyRepository))
}

func (s *grpcService) RepositoryModelUnload(context.Context, *inferencepb.RepositoryModelUnloadRequest) (*inferencepb.RepositoryModelUnloadResponse, error) {
	return nil, grpcError(unsupported(whyRepository))
}

func (s *grpcService) SystemSharedMemoryStatus(context.Context, *inferencepb.SystemSharedMemoryStatusRequest) (*inferencepb.SystemSharedMemoryStatusResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "system"))
}

func (s *grpcService) SystemSharedMemoryRegister(context.Context, *inferencepb.SystemSharedMemoryRegisterRequest) (*inferencepb.SystemSharedMemoryRegisterResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "system"))
}

func (s *grpcService) SystemSharedMemoryUnregister(context.Context, *inferencepb.SystemSharedMemoryUnregisterRequest) (*inferencepb.SystemSharedMemoryUnregisterResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "system"))
}

func (s *grpcService) CudaSharedMemoryStatus(context.Context, *inferencepb.CudaSharedMemoryStatusRequest) (*inferencepb.CudaSharedMemoryStatusResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "CUDA"))
}

func (s *grpcService) CudaSharedMemoryRegister(context.Context, *inferencepb.CudaSharedMemoryRegisterRequest) (*inferencepb.CudaSharedMemoryRegisterResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "CUDA"))
}

func (s *grpcService) CudaSharedMemoryUnregister(context.Context, *inferencepb.CudaSharedMemoryUnregisterRequest) (*inferencepb.CudaSharedMemoryUnregisterResponse, error) {
	return nil, grpcError(unsupported(whySharedMemory, "CUDA"))
}

func (s *grpcService) TraceSetting(context.Context, *inferencepb.TraceSettingRequest) (*inferencepb.TraceSettingResponse, error) {
	return nil, grpcError(unsupported(whyTrace))
}

func (s *grpcService) LogSettings(context.Context, *inferencepb.LogSettingsRequest) (*inferencepb.LogSettingsResponse, error) {
	return nil, grpcError(unsupported(whyLogging))
}
