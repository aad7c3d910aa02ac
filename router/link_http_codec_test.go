package router

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/sluice-gateway/sluice/oip"
)

// codecBatch is a batch of 16 rows of 4096 FP32 values, and the answer
// that echoes it, as the worker of codec c would send it.
func codecBatch(tb testing.TB, c httpCodec) (*oip.InferenceRequest, http.Header, []byte) {
	vals := make([]float32, 16*4096)
	for i := range vals {
		vals[i] = float32(i) / 3
	}
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{16, 4096}, vals)}}
	resp := &oip.InferenceResponse{ModelName: "m", Outputs: req.Inputs}
	asked := oip.BinaryOutputs{All: c == httpCodec(binaryCodec{})}
	head, parts, err := oip.EncodeBinaryResponse(resp, asked)
	if err != nil {
		tb.Fatal(err)
	}
	header := http.Header{}
	body := head
	if parts != nil {
		header.Set(oip.HeaderInferenceLength, strconv.Itoa(len(head)))
		for _, p := range parts {
			body = append(body, p...)
		}
	}
	return req, header, body
}

// BenchmarkHTTPCodec measures the gateway's side of one batch to an HTTP
// worker, encoding the request and decoding its echo, with JSON tensors
// and with binary tensors.
func BenchmarkHTTPCodec(b *testing.B) {
	for _, c := range []struct {
		name  string
		codec httpCodec
	}{{"json", jsonCodec{}}, {"binary", binaryCodec{}}} {
		b.Run(c.name, func(b *testing.B) {
			req, header, answer := codecBatch(b, c.codec)
			b.ReportAllocs()
			for b.Loop() {
				body, _, err := c.codec.encode(req)
				if err != nil || len(body) == 0 {
					b.Fatal(err)
				}
				out, err := c.codec.decode(header, answer)
				if err != nil || len(out.Outputs) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBinaryCodecLeavesRequest checks that the binary codec asks for
// binary outputs without modifying the batch, which a retry may send to
// a worker that takes JSON, and that its body decodes to the batch.
func TestBinaryCodecLeavesRequest(t *testing.T) {
	req, _, _ := codecBatch(t, binaryCodec{})
	req.Parameters = oip.Parameters{"priority": int64(1)}
	body, header, err := binaryCodec{}.encode(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Parameters) != 1 {
		t.Errorf("encode changed the batch's parameters to %v", req.Parameters)
	}
	n, err := oip.ParseHeaderLength(header.Get(oip.HeaderInferenceLength))
	if err != nil {
		t.Fatal(err)
	}
	got, err := oip.DecodeBinaryRequest(body, n)
	if err != nil {
		t.Fatal(err)
	}
	if got.Parameters[oip.ParamBinaryOutput] != true || got.Parameters["priority"] != int64(1) {
		t.Errorf("parameters sent = %v, want priority and %s", got.Parameters, oip.ParamBinaryOutput)
	}
	if string(got.Inputs[0].Raw) != string(req.Inputs[0].Raw) {
		t.Error("the binary input is not the batch's")
	}
}
