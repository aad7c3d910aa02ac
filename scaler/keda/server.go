package keda

import (
	"context"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/scaler"
	pb "github.com/sluice-gateway/sluice/scaler/keda/externalscalerpb"
)

// MetadataPool is the trigger metadata key that names the pool.
const MetadataPool = "pool"

// Source is the plan a Server serves; *scaler.Loop is one.
type Source interface {
	// Desired returns the pool's desired replicas. It fails with an error
	// matching scaler.ErrNoPlan before the first plan and
	// scaler.ErrUnknownPool for a pool the plan lacks.
	Desired(pool string) (int, error)
	// Updated returns a channel closed when the next plan is made.
	Updated() <-chan struct{}
}

var _ Source = (*scaler.Loop)(nil)

// Server answers KEDA's external scaler calls from a Source. It is safe for
// concurrent use, as its Source must be.
type Server struct {
	pb.UnimplementedExternalScalerServer
	src Source
}

var _ pb.ExternalScalerServer = (*Server)(nil)

// NewServer returns a Server for src.
func NewServer(src Source) *Server { return &Server{src: src} }

// Register registers s on g as the externalscaler.ExternalScaler service.
func (s *Server) Register(g grpc.ServiceRegistrar) { pb.RegisterExternalScalerServer(g, s) }

// MetricName returns the name of the metric served for pool.
func MetricName(pool string) string { return "sluice-" + pool + "-desired-replicas" }

// IsActive reports whether the pool's desired size is above zero.
func (s *Server) IsActive(_ context.Context, ref *pb.ScaledObjectRef) (*pb.IsActiveResponse, error) {
	n, err := s.desired(ref)
	if err != nil {
		return nil, err
	}
	return &pb.IsActiveResponse{Result: n > 0}, nil
}

// StreamIsActive sends IsActive's answer at once and again after each plan
// that changes it, until the client goes away or the pool cannot be read.
func (s *Server) StreamIsActive(ref *pb.ScaledObjectRef, stream grpc.ServerStreamingServer[pb.IsActiveResponse]) error {
	ctx := stream.Context()
	sent, first := false, true
	for {
		updated := s.src.Updated()
		n, err := s.desired(ref)
		if err != nil {
			return err
		}
		if active := n > 0; first || active != sent {
			if err := stream.Send(&pb.IsActiveResponse{Result: active}); err != nil {
				return err
			}
			sent, first = active, false
		}
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-updated:
		}
	}
}

// GetMetricSpec returns the pool's metric with a target of 1 replica.
func (s *Server) GetMetricSpec(_ context.Context, ref *pb.ScaledObjectRef) (*pb.GetMetricSpecResponse, error) {
	pool, err := poolOf(ref)
	if err != nil {
		return nil, err
	}
	spec := &pb.MetricSpec{MetricName: MetricName(pool), TargetSize: 1, TargetSizeFloat: 1}
	return &pb.GetMetricSpecResponse{MetricSpecs: []*pb.MetricSpec{spec}}, nil
}

// GetMetrics returns the pool's desired replicas as the metric's value,
// under the name KEDA asked for (MetricName when it asked for none).
func (s *Server) GetMetrics(_ context.Context, req *pb.GetMetricsRequest) (*pb.GetMetricsResponse, error) {
	n, err := s.desired(req.GetScaledObjectRef())
	if err != nil {
		return nil, err
	}
	name := req.GetMetricName()
	if name == "" {
		name = MetricName(req.GetScaledObjectRef().GetScalerMetadata()[MetadataPool])
	}
	v := &pb.MetricValue{MetricName: name, MetricValue: int64(n), MetricValueFloat: float64(n)}
	return &pb.GetMetricsResponse{MetricValues: []*pb.MetricValue{v}}, nil
}

// desired returns the desired replicas of the pool ref names, or a gRPC
// status error: InvalidArgument without a pool, NotFound for an unknown
// pool, Unavailable before the first plan.
func (s *Server) desired(ref *pb.ScaledObjectRef) (int, error) {
	pool, err := poolOf(ref)
	if err != nil {
		return 0, err
	}
	n, err := s.src.Desired(pool)
	switch {
	case errors.Is(err, scaler.ErrUnknownPool):
		return 0, status.Errorf(codes.NotFound, "keda: pool %q: %v", pool, err)
	case errors.Is(err, scaler.ErrNoPlan):
		return 0, status.Errorf(codes.Unavailable, "keda: pool %q: %v", pool, err)
	case err != nil:
		return 0, status.Errorf(codes.Internal, "keda: pool %q: %v", pool, err)
	}
	return n, nil
}

// poolOf returns the pool ref's metadata names.
func poolOf(ref *pb.ScaledObjectRef) (string, error) {
	pool := ref.GetScalerMetadata()[MetadataPool]
	if pool == "" {
		return "", status.Errorf(codes.InvalidArgument,
			"keda: scaled object %s/%s: trigger metadata lacks %q", ref.GetNamespace(), ref.GetName(), MetadataPool)
	}
	return pool, nil
}
