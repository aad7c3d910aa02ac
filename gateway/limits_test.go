package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// TestRequestLimitsHTTP sends bodies at and over each limit through a real
// HTTP listener and checks the status and the error's words.
func TestRequestLimitsHTTP(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{MaxBodyBytes: 512, MaxJSONDepth: 6, MaxTensorElements: 8}
	f := startFleet(t, cfg)
	tests := []struct {
		name   string
		model  string
		body   string
		status int
		want   string // in the error message; "" for a 200
	}{
		{"within every limit", "sum",
			`{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}`, http.StatusOK, ""},
		{"body over the limit", "sum",
			`{"id":"` + strings.Repeat("a", 512) + `","inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`,
			http.StatusRequestEntityTooLarge, "the limit is 512 bytes"},
		{"nested data at the depth limit", "sum",
			`{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6]]}]}`, http.StatusOK, ""},
		{"nested data over the depth limit", "sum",
			`{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[[[[1]]]]}]}`, http.StatusBadRequest, "deeper than 6 levels"},
		{"brackets in strings do not nest", "sum",
			`{"id":"[[[[{{{{\"[[[[","inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`, http.StatusOK, ""},
		{"elements at the limit", "echo",
			`{"inputs":[{"name":"a","shape":[4],"datatype":"FP32","data":[1,2,3,4]},{"name":"b","shape":[4],"datatype":"FP32","data":[1,2,3,4]}]}`,
			http.StatusOK, ""},
		{"one input over the element limit", "sum",
			`{"inputs":[{"name":"x","shape":[3,3],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9]}]}`,
			http.StatusBadRequest, `input "x": its 9 elements, after 0 in the inputs before it, exceed the limit of 8`},
		{"inputs together over the element limit", "echo",
			`{"inputs":[{"name":"a","shape":[4],"datatype":"FP32","data":[1,2,3,4]},{"name":"b","shape":[5],"datatype":"FP32","data":[1,2,3,4,5]}]}`,
			http.StatusBadRequest, `input "b": its 5 elements, after 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(context.Background(), tt.model, []byte(tt.body))
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d (body %s)", r.status, tt.status, r.body)
			}
			if tt.want != "" {
				checkErrorBody(t, r.body, tt.want)
			}
		})
	}
}

// TestTensorElementLimitGRPC checks the element limit over a real gRPC
// listener.
func TestTensorElementLimitGRPC(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway = gateway.Options{MaxTensorElements: 8}
	f := startFleet(t, cfg)
	tests := []struct {
		name  string
		shape []int64
		code  codes.Code
	}{
		{"at the limit", []int64{2, 4}, codes.OK},
		{"over the limit", []int64{3, 3}, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.shape[0] * tt.shape[1]
			_, err := f.grpc.ModelInfer(context.Background(), &inferencepb.ModelInferRequest{
				ModelName: "sum",
				Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
					Name: "x", Datatype: "FP32", Shape: tt.shape,
					Contents: &inferencepb.InferTensorContents{Fp32Contents: make([]float32, n)},
				}},
			})
			st := status.Convert(err)
			if st.Code() != tt.code {
				t.Fatalf("code = %v (%v), want %v", st.Code(), err, tt.code)
			}
			if tt.code != codes.OK && !strings.Contains(st.Message(), `input "x"`) {
				t.Errorf("message %q does not name input x", st.Message())
			}
		})
	}
}
