package gateway

import (
	"runtime"
	"testing"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// TestGRPCCallHoldsItsInputsOnce decodes gRPC requests of 16 MB, in
// typed and in raw contents, and measures with runtime.MemStats the heap
// the decoded call and its message hold together: about the payload,
// not twice it.
func TestGRPCCallHoldsItsInputsOnce(t *testing.T) {
	const n = 4 << 20 // FP32 elements: 16 MiB
	tests := []struct {
		name string
		req  func() *inferencepb.ModelInferRequest
	}{
		{"typed contents", func() *inferencepb.ModelInferRequest {
			in := &inferencepb.ModelInferRequest_InferInputTensor{Name: "x", Datatype: "FP32", Shape: []int64{1, n},
				Contents: &inferencepb.InferTensorContents{Fp32Contents: make([]float32, n)}}
			return &inferencepb.ModelInferRequest{ModelName: "m", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{in}}
		}},
		{"raw contents", func() *inferencepb.ModelInferRequest {
			in := &inferencepb.ModelInferRequest_InferInputTensor{Name: "x", Datatype: "FP32", Shape: []int64{1, n}}
			return &inferencepb.ModelInferRequest{ModelName: "m", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{in},
				RawInputContents: [][]byte{make([]byte, 4*n)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := heapAlloc()
			req := tt.req()
			c, err := grpcCall(nil, req, bounds{elements: n})
			if err != nil {
				t.Fatal(err)
			}
			held := heapAlloc() - before
			runtime.KeepAlive(req)
			runtime.KeepAlive(c)
			ratio := float64(held) / (4 * n)
			t.Logf("the call and its message hold %d bytes, %.2f× its payload", held, ratio)
			if ratio > 1.25 {
				t.Errorf("the call and its message hold %d bytes, %.2f× the %d of its payload; want at most 1.25×", held, ratio, 4*n)
			}
		})
	}
}

// heapAlloc returns the bytes of live heap objects after a collection.
func heapAlloc() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
