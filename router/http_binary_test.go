package router_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// tensorWorker is an OIP v2 HTTP server of its own that serves one
// model, "mixed", echoing its inputs as its outputs. With binary, its
// GET /v2 lists binary_tensor_data, it takes binary inputs and answers
// binary outputs when asked; without, it refuses a binary body, as a
// server without the extension would.
type tensorWorker struct {
	binary      bool
	batches     atomic.Int64 // inferences answered
	binaryIn    atomic.Int64 // of which came with binary inputs
	binaryAsked atomic.Int64 // of which asked for every output as binary
}

// startTensorWorker serves a tensorWorker until the test ends.
func startTensorWorker(t *testing.T, id string, binary bool) (*tensorWorker, router.Endpoint) {
	t.Helper()
	w := &tensorWorker{binary: binary}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return w, router.Endpoint{ID: id, HTTP: strings.TrimPrefix(srv.URL, "http://"), Protocol: router.ProtocolHTTP}
}

func (w *tensorWorker) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v2/health/ready":
	case "/v2":
		md := oip.ServerMetadata{Name: "tensors", Version: "1", Extensions: []string{"model_configuration"}}
		if w.binary {
			md.Extensions = append(md.Extensions, "binary_tensor_data")
		}
		_ = json.NewEncoder(rw).Encode(md)
	case "/v2/models/mixed":
		_ = json.NewEncoder(rw).Encode(mixedMetadata)
	case "/v2/models/mixed/infer":
		w.infer(rw, r)
	default:
		rw.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(rw, `{"error":"not found"}`)
	}
}

// mixedMetadata describes the inputs of mixedRequest, which are also
// the outputs.
var mixedMetadata = oip.ModelMetadata{Name: "mixed", Platform: "test",
	Inputs: []oip.TensorMetadata{
		{Name: "f", Datatype: "FP32", Shape: []int64{-1, 2}},
		{Name: "n", Datatype: "INT64", Shape: []int64{-1, 2}},
		{Name: "s", Datatype: "BYTES", Shape: []int64{-1, 1}},
		{Name: "h", Datatype: "FP16", Shape: []int64{-1, 2}},
	},
}

func (w *tensorWorker) infer(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	headerLen, err := w.headerLength(r.Header)
	var req *oip.InferenceRequest
	if err == nil {
		req, err = oip.DecodeBinaryRequest(body, headerLen)
	}
	var asked oip.BinaryOutputs
	if err == nil {
		asked, err = req.TakeBinaryOutputs()
	}
	if err != nil {
		rw.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(rw).Encode(oip.ErrorBody{Error: err.Error()})
		return
	}
	time.Sleep(20 * ms) // long enough for the next requests to queue
	w.batches.Add(1)
	if asked.All {
		w.binaryAsked.Add(1)
	}
	head, parts, err := oip.EncodeBinaryResponse(&oip.InferenceResponse{ModelName: "mixed", ID: req.ID, Outputs: req.Inputs}, asked)
	if err != nil {
		rw.WriteHeader(http.StatusInternalServerError)
		return
	}
	if parts != nil {
		rw.Header().Set(oip.HeaderInferenceLength, strconv.Itoa(len(head)))
	}
	_, _ = rw.Write(slices.Concat(append([][]byte{head}, parts...)...))
}

// headerLength is the length of a binary body's JSON part, -1 for a
// JSON body; a binary body fails unless w has the extension.
func (w *tensorWorker) headerLength(h http.Header) (int64, error) {
	v := h.Get(oip.HeaderInferenceLength)
	switch {
	case v == "":
		return -1, nil
	case !w.binary:
		return 0, fmt.Errorf("binary tensor data is not served here")
	}
	w.binaryIn.Add(1)
	return oip.ParseHeaderLength(v)
}

// mixedRequest is request i of rows rows, an input of each of FP32,
// INT64, BYTES (of varied lengths, an empty one among them) and FP16.
func mixedRequest(i, rows int) *oip.InferenceRequest {
	var f []float32
	var n []int64
	var s [][]byte
	var h []byte
	for j := range 2 * rows {
		f = append(f, float32(i)+float32(j)/4)
		n = append(n, int64(i)<<40-int64(j))
		h = binary.LittleEndian.AppendUint16(h, oip.FP16Bits(float64(i)-float64(j)/2))
		if j < rows {
			s = append(s, []byte(strings.Repeat("é", (i+j)%4)+fmt.Sprint(i)))
		}
	}
	s[0] = []byte{}
	r := int64(rows)
	return &oip.InferenceRequest{ID: fmt.Sprint(i), Inputs: []oip.Tensor{
		oip.NewFP32("f", []int64{r, 2}, f),
		oip.NewInt64("n", []int64{r, 2}, n),
		oip.NewBytes("s", []int64{r, 1}, s),
		oip.NewRaw("h", oip.FP16, []int64{r, 2}, h),
	}}
}

// TestHTTPWorkerBinaryTensors routes concurrent requests of FP32, INT64,
// BYTES and FP16 inputs to an HTTP worker that lists binary_tensor_data
// and to one that does not: the first gets every batch as binary tensors
// and is asked for binary outputs, the second gets JSON; through either,
// the requests ride merged in batches and every answer is its request's
// own inputs, byte for byte.
func TestHTTPWorkerBinaryTensors(t *testing.T) {
	for _, binary := range []bool{true, false} {
		t.Run(fmt.Sprintf("binary=%v", binary), func(t *testing.T) {
			f := startFleet(t, router.Config{
				Models: []router.Model{{Name: "mixed", Tier: "t", SLO: 5 * time.Second, Batching: true}},
				Tiers:  map[string][]string{"t": {"p"}},
			}, pool{name: "p", curve: costmodel.Curve{Base: 20 * ms, PerItem: ms}, maxBatch: 16, protocol: router.ProtocolHTTP})
			w, ep := startTensorWorker(t, "p-0", binary)
			if err := f.router.SetEndpoints("p", []router.Endpoint{ep}); err != nil {
				t.Fatal(err)
			}
			const n = 24
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { serveMixed(t, f.router, i, 1+i%3) })
			}
			wg.Wait()
			batches := w.batches.Load()
			if batches == 0 || batches >= n {
				t.Errorf("%d requests ran in %d batches, want fewer batches than requests", n, batches)
			}
			want := int64(0)
			if binary {
				want = batches
			}
			if got, asked := w.binaryIn.Load(), w.binaryAsked.Load(); got != want || asked != want {
				t.Errorf("%d of %d batches came as binary tensors, %d asked for binary outputs; want %d and %d", got, batches, asked, want, want)
			}
		})
	}
}

// serveMixed serves mixedRequest(i, rows) and checks that the answer is
// its inputs.
func serveMixed(t *testing.T, rt *router.Router, i, rows int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mixedRequest(i, rows)
	res, err := rt.Serve(ctx, &router.Request{Model: "mixed", Req: mixedRequest(i, rows)})
	if err != nil {
		t.Errorf("request %d: %v", i, err)
		return
	}
	outs := res.Response.Outputs
	if len(outs) != len(req.Inputs) {
		t.Errorf("request %d: %d outputs, want %d", i, len(outs), len(req.Inputs))
		return
	}
	for k, in := range req.Inputs {
		if !sameTensor(outs[k], in) {
			t.Errorf("request %d: output %+v, want its input %+v", i, outs[k], in)
		}
	}
}

// sameTensor reports whether a and b have the same name, datatype, shape
// and elements.
func sameTensor(a, b oip.Tensor) bool {
	return a.Name == b.Name && a.Datatype == b.Datatype && slices.Equal(a.Shape, b.Shape) &&
		bytes.Equal(a.Raw, b.Raw) && slices.EqualFunc(a.Elems, b.Elems, bytes.Equal)
}
