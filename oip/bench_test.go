package oip

import (
	"fmt"
	"testing"
)

// benchBody returns a JSON request with one FP32 input of rows×cols
// elements, nested by row as clients usually send it.
func benchBody(b *testing.B, rows, cols int64) []byte {
	b.Helper()
	vals := make([]float32, rows*cols)
	for i := range vals {
		vals[i] = float32(i)*0.37 - 11
	}
	req := &InferenceRequest{ID: "bench", Inputs: []Tensor{NewFP32("x", shape(rows, cols), vals)}}
	body, err := req.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkDecodeRequest(b *testing.B) {
	cases := []struct {
		name string
		body []byte
	}{
		{"fp32_1x16", benchBody(b, 1, 16)},
		{"fp32_8x1024", benchBody(b, 8, 1024)},
		{"int64_1x512", mustMarshal(b, &InferenceRequest{Inputs: []Tensor{sample("ids", Int64, 256, 1)}})},
		{"bytes_64", mustMarshal(b, &InferenceRequest{Inputs: []Tensor{sample("text", Bytes, 32, 1)}})},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := DecodeRequest(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	vals := make([]float32, 8*1024)
	resp := &InferenceResponse{ModelName: "m", Outputs: []Tensor{NewFP32("y", shape(8, 1024), vals)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resp.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func mustMarshal(b *testing.B, r *InferenceRequest) []byte {
	b.Helper()
	body, err := r.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchMembers returns n single-row requests with an FP32 [1,256] input
// and a BYTES [1,2] input.
func benchMembers(n int) []*InferenceRequest {
	reqs := make([]*InferenceRequest, n)
	for i := range reqs {
		reqs[i] = &InferenceRequest{ID: fmt.Sprint(i), Inputs: []Tensor{
			NewFP32("x", shape(1, 256), make([]float32, 256)), sample("s", Bytes, 1, i),
		}}
	}
	return reqs
}

func BenchmarkMergeRequests(b *testing.B) {
	for _, n := range []int{1, 8, 64} {
		reqs := benchMembers(n)
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := MergeRequests(reqs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSplitResponse(b *testing.B) {
	for _, n := range []int{1, 8, 64} {
		reqs := benchMembers(n)
		merged, rows, err := MergeRequests(reqs)
		if err != nil {
			b.Fatal(err)
		}
		resp := &InferenceResponse{ModelName: "m", Outputs: merged.Inputs}
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SplitResponse(resp, reqs, rows); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBatchKey(b *testing.B) {
	r := benchMembers(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		_ = r.BatchKey()
	}
}

// BenchmarkEncodeAnswer encodes a small answer (sum's: one row of one
// FP32) as the gateway's HTTP front end does, as JSON and with its
// output as binary data.
func BenchmarkEncodeAnswer(b *testing.B) {
	resp := &InferenceResponse{ModelName: "sum", Outputs: []Tensor{NewFP32("sum", shape(1, 1), []float32{10})}}
	for _, bc := range []struct {
		name   string
		format BinaryOutputs
	}{{"json", BinaryOutputs{}}, {"binary", BinaryOutputs{All: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := EncodeBinaryResponse(resp, bc.format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
