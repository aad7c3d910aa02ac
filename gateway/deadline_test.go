package gateway_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/gateway"
)

// TestDeadline sends one call over HTTP and one over gRPC to a model whose
// batches take 200 ms. The call's deadline is the earliest of the
// client's timeout header, the gRPC deadline (gRPC only) and the model's
// timeout, all cut to the gateway's cap; any may be absent, and a model
// without a timeout leaves the call without one of its own. A deadline
// well before the batch ends fails the call (504, DeadlineExceeded); one
// well after it lets it through.
func TestDeadline(t *testing.T) {
	const short, long = 50 * time.Millisecond, 5 * time.Second
	tests := []struct {
		name     string
		model    time.Duration // the model's Timeout; 0: none
		cap      time.Duration // Options.MaxDeadline; 0: none
		header   string        // x-sluice-timeout-ms; "": none
		grpc     time.Duration // the gRPC deadline; 0: none
		wantHTTP int
		wantGRPC codes.Code
	}{
		{name: "model without a timeout, nothing else", wantHTTP: http.StatusOK, wantGRPC: codes.OK},
		{name: "model without a timeout, the client's is long", header: "5000", wantHTTP: http.StatusOK, wantGRPC: codes.OK},
		{name: "model without a timeout, the client's is short", header: "50",
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "model without a timeout, the gRPC deadline is short", grpc: short,
			wantHTTP: http.StatusOK, wantGRPC: codes.DeadlineExceeded},
		{name: "model without a timeout, a long cap", cap: long, wantHTTP: http.StatusOK, wantGRPC: codes.OK},
		{name: "model without a timeout, a short cap", cap: short,
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "the model's timeout is short", model: short,
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "the model's is long, the client's short", model: long, header: "50",
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "the client's is long, the model's short", model: short, header: "5000",
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "a short cap cuts the client's and the model's", model: long, cap: short, header: "5000", grpc: long,
			wantHTTP: http.StatusGatewayTimeout, wantGRPC: codes.DeadlineExceeded},
		{name: "a long cap leaves them", model: long, cap: long, header: "5000", grpc: long,
			wantHTTP: http.StatusOK, wantGRPC: codes.OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultFleet()
			cfg.curve = costmodel.Curve{Base: 200 * time.Millisecond}
			cfg.timeout = tt.model
			cfg.gateway = gateway.Options{MaxDeadline: tt.cap}
			f := startFleet(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var headers []string
			if tt.header != "" {
				headers = []string{gateway.HeaderTimeout, tt.header}
			}
			if r := f.post(ctx, "sum", sumBody(t, "a", [][]float32{{1, 2}}), headers...); r.status != tt.wantHTTP {
				t.Errorf("HTTP status = %d, want %d (body %s)", r.status, tt.wantHTTP, r.body)
			}
			gctx := ctx
			if tt.grpc > 0 {
				var cancel context.CancelFunc
				gctx, cancel = context.WithTimeout(ctx, tt.grpc)
				defer cancel()
			}
			if _, _, err := f.inferGRPC(gctx, "sum", headers...); status.Code(err) != tt.wantGRPC {
				t.Errorf("gRPC code = %v (%v), want %v", status.Code(err), err, tt.wantGRPC)
			}
		})
	}
}
