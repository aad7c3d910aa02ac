package gateway

import (
	"context"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// healthWatchEvery is how often Watch looks at the status it streams.
const healthWatchEvery = time.Second

// healthService is grpc.health.v1.Health over the gateway's readiness:
// the empty service and inference.GRPCInferenceService are the server
// (SERVING when it is ready), each model's name is that model.
type healthService struct {
	healthpb.UnimplementedHealthServer
	g *Gateway
}

var _ healthpb.HealthServer = (*healthService)(nil)

// status returns a service's status, or NotFound for a name that is
// neither the server nor a model.
func (h *healthService) status(service string) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ok := false
	switch service {
	case "", inferencepb.GRPCInferenceService_ServiceDesc.ServiceName:
		ok = h.g.serverReady()
	default:
		if _, known := h.g.router.Model(service); !known {
			return 0, status.Errorf(codes.NotFound, "gateway: no service or model %q", service)
		}
		ok = h.g.notReady(service) == ""
	}
	if ok {
		return healthpb.HealthCheckResponse_SERVING, nil
	}
	return healthpb.HealthCheckResponse_NOT_SERVING, nil
}

func (h *healthService) Check(_ context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st, err := h.status(req.GetService())
	if err != nil {
		return nil, err
	}
	return &healthpb.HealthCheckResponse{Status: st}, nil
}

// Watch sends the service's status, then every change of it, until the
// client leaves or the gateway drains (after telling NOT_SERVING). An
// unknown service is SERVICE_UNKNOWN, as the protocol asks.
func (h *healthService) Watch(req *healthpb.HealthCheckRequest, stream grpc.ServerStreamingServer[healthpb.HealthCheckResponse]) error {
	tick := time.NewTicker(healthWatchEvery)
	defer tick.Stop()
	last := healthpb.HealthCheckResponse_ServingStatus(-1)
	for {
		st, err := h.status(req.GetService())
		if err != nil {
			st = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
		}
		if st != last {
			if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
				return err
			}
			last = st
		}
		if h.g.Draining() {
			return nil
		}
		select {
		case <-stream.Context().Done():
			return nil
		case <-tick.C:
		}
	}
}
