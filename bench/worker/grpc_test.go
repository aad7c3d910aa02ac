package worker

import (
	"context"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

func le32s(vals ...float32) []byte {
	b := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// lenPrefixed encodes BYTES elements as raw contents do: each element
// after its length as a little-endian uint32.
func lenPrefixed(elems ...string) []byte {
	var b []byte
	for _, e := range elems {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

func input(name, datatype string, shape ...int64) *inferencepb.ModelInferRequest_InferInputTensor {
	return &inferencepb.ModelInferRequest_InferInputTensor{Name: name, Datatype: datatype, Shape: shape}
}

func output(name, datatype string, shape ...int64) *inferencepb.ModelInferResponse_InferOutputTensor {
	return &inferencepb.ModelInferResponse_InferOutputTensor{Name: name, Datatype: datatype, Shape: shape}
}

func TestGRPCInfer(t *testing.T) {
	ts := startServer(t, Options{Clock: newFakeClock()})
	typed := input("x", "FP32", 2, 2)
	typed.Contents = &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4}}
	words := input("s", "BYTES", 3)
	words.Contents = &inferencepb.InferTensorContents{BytesContents: [][]byte{[]byte("a"), {}, []byte("xyz")}}
	ints := input("i", "INT32", 2)
	ints.Contents = &inferencepb.InferTensorContents{IntContents: []int32{-1, 7}}
	tests := []struct {
		name string
		req  *inferencepb.ModelInferRequest
		want *inferencepb.ModelInferResponse
	}{
		{
			name: "sum of raw contents",
			req: &inferencepb.ModelInferRequest{
				ModelName: "sum", Id: "g1",
				Inputs:           []*inferencepb.ModelInferRequest_InferInputTensor{input("x", "FP32", 3, 2)},
				RawInputContents: [][]byte{le32s(1, 2, 3, 4, 5, 0.5)},
			},
			want: &inferencepb.ModelInferResponse{
				ModelName: "sum", ModelVersion: "1", Id: "g1",
				Outputs:           []*inferencepb.ModelInferResponse_InferOutputTensor{output("sum", "FP32", 3)},
				RawOutputContents: [][]byte{le32s(3, 7, 5.5)},
			},
		},
		{
			name: "sum of typed contents",
			req: &inferencepb.ModelInferRequest{
				ModelName: "sum", ModelVersion: "1",
				Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{typed},
			},
			want: &inferencepb.ModelInferResponse{
				ModelName: "sum", ModelVersion: "1",
				Outputs:           []*inferencepb.ModelInferResponse_InferOutputTensor{output("sum", "FP32", 2)},
				RawOutputContents: [][]byte{le32s(3, 7)},
			},
		},
		{
			name: "echo BYTES and INT32",
			req: &inferencepb.ModelInferRequest{
				ModelName: "echo", Id: "e",
				Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{words, ints},
			},
			want: &inferencepb.ModelInferResponse{
				ModelName: "echo", ModelVersion: "1", Id: "e",
				Outputs: []*inferencepb.ModelInferResponse_InferOutputTensor{
					output("s", "BYTES", 3), output("i", "INT32", 2),
				},
				RawOutputContents: [][]byte{
					lenPrefixed("a", "", "xyz"),
					binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.MaxUint32), 7),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ts.grpc.ModelInfer(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("ModelInfer: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGRPCErrors(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Options{MaxBatch: 2, ColdStart: time.Second, Clock: clock})
	infer := func(model, version string, raw []byte, in ...*inferencepb.ModelInferRequest_InferInputTensor) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := ts.grpc.ModelInfer(ctx, &inferencepb.ModelInferRequest{
				ModelName: model, ModelVersion: version, Inputs: in, RawInputContents: [][]byte{raw},
			})
			return err
		}
	}
	x := input("x", "FP32", 1, 1)
	asked := &inferencepb.ModelInferRequest{
		ModelName: "sum", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{x}, RawInputContents: [][]byte{le32s(1)},
		Outputs: []*inferencepb.ModelInferRequest_InferRequestedOutputTensor{{Name: "mean"}},
	}
	tests := []struct {
		name string
		call func(context.Context) error
		want codes.Code
	}{
		{"unknown model", infer("nope", "", le32s(1), x), codes.NotFound},
		{"unknown version", infer("sum", "3", le32s(1), x), codes.NotFound},
		{"sum of another input", infer("sum", "", le32s(1), input("y", "FP32", 1, 1)), codes.InvalidArgument},
		{"raw contents do not fit shape", infer("sum", "", le32s(1, 2), x), codes.InvalidArgument},
		{"more rows than max batch", infer("sum", "", le32s(1, 2, 3), input("x", "FP32", 3, 1)), codes.InvalidArgument},
		{"unknown requested output", func(ctx context.Context) error {
			_, err := ts.grpc.ModelInfer(ctx, asked)
			return err
		}, codes.InvalidArgument},
		{"model ready of unknown model", func(ctx context.Context) error {
			_, err := ts.grpc.ModelReady(ctx, &inferencepb.ModelReadyRequest{Name: "nope"})
			return err
		}, codes.NotFound},
		{"metadata of unknown model", func(ctx context.Context) error {
			_, err := ts.grpc.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: "nope"})
			return err
		}, codes.NotFound},
	}
	if got := status.Code(infer("sum", "", le32s(1), x)(context.Background())); got != codes.Unavailable {
		t.Errorf("infer during cold start: code = %v, want %v", got, codes.Unavailable)
	}
	clock.Advance(time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := status.Code(tt.call(context.Background())); got != tt.want {
				t.Errorf("code = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGRPCHealthAndMetadata(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Options{Name: "w2", ColdStart: time.Minute, Clock: clock})
	ctx := context.Background()
	ready := func() []bool {
		server, err := ts.grpc.ServerReady(ctx, &inferencepb.ServerReadyRequest{})
		if err != nil {
			t.Fatalf("ServerReady: %v", err)
		}
		model, err := ts.grpc.ModelReady(ctx, &inferencepb.ModelReadyRequest{Name: "sum", Version: "1"})
		if err != nil {
			t.Fatalf("ModelReady: %v", err)
		}
		return []bool{server.GetReady(), model.GetReady()}
	}
	live, err := ts.grpc.ServerLive(ctx, &inferencepb.ServerLiveRequest{})
	if err != nil || !live.GetLive() {
		t.Errorf("ServerLive = %v, %v; want live", live, err)
	}
	if diff := cmp.Diff([]bool{false, false}, ready()); diff != "" {
		t.Errorf("server and model ready during cold start (-want +got):\n%s", diff)
	}
	clock.Advance(time.Minute)
	if diff := cmp.Diff([]bool{true, true}, ready()); diff != "" {
		t.Errorf("server and model ready after cold start (-want +got):\n%s", diff)
	}

	server, err := ts.grpc.ServerMetadata(ctx, &inferencepb.ServerMetadataRequest{})
	if err != nil {
		t.Fatalf("ServerMetadata: %v", err)
	}
	if diff := cmp.Diff(&inferencepb.ServerMetadataResponse{Name: "w2", Version: "1"}, server, protocmp.Transform()); diff != "" {
		t.Errorf("server metadata (-want +got):\n%s", diff)
	}
	model, err := ts.grpc.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: "sum"})
	if err != nil {
		t.Fatalf("ModelMetadata: %v", err)
	}
	want := &inferencepb.ModelMetadataResponse{
		Name: "sum", Versions: []string{"1"}, Platform: "sluice-emulated",
		Inputs:  []*inferencepb.ModelMetadataResponse_TensorMetadata{{Name: "x", Datatype: "FP32", Shape: []int64{-1, -1}}},
		Outputs: []*inferencepb.ModelMetadataResponse_TensorMetadata{{Name: "sum", Datatype: "FP32", Shape: []int64{-1}}},
	}
	if diff := cmp.Diff(want, model, protocmp.Transform()); diff != "" {
		t.Errorf("model metadata (-want +got):\n%s", diff)
	}
}
