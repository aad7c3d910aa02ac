package gateway_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// httpRecord is one HTTP request a stock client sent to the quickstart,
// headers and body as they went on the wire (Triton's: the headers its
// code sets; KServe's: every header httpx sent), with the answer it got,
// decompressed.
type httpRecord struct {
	Method          string            `json:"method"`
	URI             string            `json:"uri"`
	Headers         map[string]string `json:"headers"`
	Body            []byte            `json:"body"`
	Status          int               `json:"status"`
	ResponseHeaders map[string]string `json:"response_headers"`
	Response        []byte            `json:"response"`
}

// capture is what a stock client sent to the quickstart and got back
// (hack/capture-clients.sh records it): tritonclient.json holds Triton's
// Python client over HTTP and gRPC, kserveclient.json KServe's REST client.
type capture struct {
	HTTP []httpRecord `json:"http"`
	GRPC []struct {
		Method  string `json:"method"`
		Request []byte `json:"request"`
	} `json:"grpc"`
}

func loadCapture(t *testing.T, name string) capture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var c capture
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// quickstartFleet is shaped like the quickstart the capture ran against:
// batches of up to 8 rows.
func quickstartFleet(t *testing.T) *fleet {
	cfg := defaultFleet()
	cfg.maxBatch = 8
	levels, err := gateway.PriorityLevels(configs.DefaultPriorityLevels)
	if err != nil {
		t.Fatal(err)
	}
	cfg.gateway.PriorityLevels = levels
	return startFleet(t, cfg)
}

// TestTritonClientHTTPReplay sends the Triton client's HTTP requests, byte
// for byte, and checks each answer against the one the client got: the
// same status and bytes, but for statistics, whose durations differ from
// run to run, and which must name the model with inferences counted.
func TestTritonClientHTTPReplay(t *testing.T) {
	replayHTTP(t, quickstartFleet(t), loadCapture(t, "tritonclient.json").HTTP)
}

// TestKServeClientHTTPReplay does the same with KServe's REST client:
// live, ready, model ready, its default infer (binary input, the answer
// in JSON, gzip-compressed since httpx accepts it) and one from a JSON
// body.
func TestKServeClientHTTPReplay(t *testing.T) {
	recs := loadCapture(t, "kserveclient.json").HTTP
	var uris []string
	for _, r := range recs {
		uris = append(uris, r.Method+" "+r.URI)
	}
	want := []string{"GET /v2/health/live", "GET /v2/health/ready", "GET /v2/models/sum/ready",
		"POST /v2/models/sum/infer", "POST /v2/models/sum/infer"}
	if diff := cmp.Diff(want, uris); diff != "" {
		t.Fatalf("captured calls (-want +got):\n%s", diff)
	}
	replayHTTP(t, quickstartFleet(t), recs)
}

// replayHTTP sends each record's request to f as it was captured and
// checks the answer's status, recorded headers and (decompressed) bytes.
func replayHTTP(t *testing.T, f *fleet, recs []httpRecord) {
	t.Helper()
	for i, rec := range recs {
		name := fmt.Sprintf("%d %s %s", i, rec.Method, rec.URI)
		resp, body := sendRecord(t, f, rec)
		if resp.StatusCode != rec.Status {
			t.Errorf("%s: status %d, want %d: %s", name, resp.StatusCode, rec.Status, body)
			continue
		}
		for k, v := range rec.ResponseHeaders {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", name, k, got, v)
			}
		}
		if strings.HasSuffix(rec.URI, "/stats") {
			checkStats(t, body)
			continue
		}
		if !bytes.Equal(body, rec.Response) {
			t.Errorf("%s: answer\n%q\nwant\n%q", name, body, rec.Response)
		}
	}
}

// sendRecord sends rec's request with its headers (but Host and
// Content-Length, which belong to the connection and the body) and
// returns the answer with its body decompressed.
func sendRecord(t *testing.T, f *fleet, rec httpRecord) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(rec.Method, f.url+rec.URI, bytes.NewReader(rec.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rec.Headers {
		if !strings.EqualFold(k, "Host") && !strings.EqualFold(k, "Content-Length") {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := io.Reader(resp.Body)
	switch resp.Header.Get("Content-Encoding") {
	case "gzip":
		if r, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	case "deflate":
		if r, err = zlib.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", rec.Method, rec.URI, err)
	}
	return resp, body
}

func checkStats(t *testing.T, body []byte) {
	t.Helper()
	var st struct {
		ModelStats []struct {
			Name           string `json:"name"`
			InferenceCount uint64 `json:"inference_count"`
			ExecutionCount uint64 `json:"execution_count"`
		} `json:"model_stats"`
	}
	if err := json.Unmarshal(body, &st); err != nil || len(st.ModelStats) != 1 || st.ModelStats[0].Name != "sum" ||
		st.ModelStats[0].InferenceCount == 0 || st.ModelStats[0].ExecutionCount == 0 {
		t.Errorf("statistics %s (err %v): want model sum with inferences and executions counted", body, err)
	}
}

// TestTritonClientGRPCReplay sends the stock client's gRPC messages,
// decoded from their captured bytes, through the generated client, and
// checks every answer: sums and echoes for the inferences (unary and
// streamed, the stream answering each id), the model's name elsewhere.
func TestTritonClientGRPCReplay(t *testing.T) {
	c := loadCapture(t, "tritonclient.json")
	f := quickstartFleet(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var streamed []*inferencepb.ModelInferRequest
	for i, rec := range c.GRPC {
		if rec.Method == "ModelStreamInfer" {
			m := &inferencepb.ModelInferRequest{}
			mustUnmarshal(t, rec.Request, m)
			streamed = append(streamed, m)
			continue
		}
		if err := replayUnary(ctx, f.grpc, rec.Method, rec.Request); err != nil {
			t.Errorf("%d %s: %v", i, rec.Method, err)
		}
	}
	if len(streamed) == 0 {
		t.Fatal("the capture has no streamed request")
	}
	stream, err := f.grpc.ModelStreamInfer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range streamed {
		if err := stream.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	_ = stream.CloseSend()
	var ids []string
	for range streamed {
		out, err := stream.Recv()
		if err != nil || out.GetErrorMessage() != "" {
			t.Fatalf("stream answer: %v %q", err, out.GetErrorMessage())
		}
		i := slices.IndexFunc(streamed, func(m *inferencepb.ModelInferRequest) bool { return m.GetId() == out.GetInferResponse().GetId() })
		if i < 0 {
			t.Fatalf("stream answer with id %q, asked for none such", out.GetInferResponse().GetId())
		}
		checkInferAnswer(t, streamed[i], out.GetInferResponse())
		ids = append(ids, out.GetInferResponse().GetId())
	}
	slices.Sort(ids)
	if diff := cmp.Diff([]string{"s0", "s1", "s2", "s3"}, ids); diff != "" {
		t.Errorf("stream answer ids (-want +got):\n%s", diff)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Errorf("after the last answer: %v, want EOF", err)
	}
}

func mustUnmarshal(t *testing.T, b []byte, m proto.Message) {
	t.Helper()
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatal(err)
	}
}

// replayUnary calls method with the captured request and checks the
// answer's gist.
func replayUnary(ctx context.Context, cl inferencepb.GRPCInferenceServiceClient, method string, raw []byte) error {
	check := func(ok bool, what string, got any) error {
		if !ok {
			b, _ := json.Marshal(got)
			return &replayError{what: what, got: string(b)}
		}
		return nil
	}
	switch method {
	case "ServerLive":
		r, err := call(ctx, raw, &inferencepb.ServerLiveRequest{}, cl.ServerLive)
		return orErr(err, func() error { return check(r.GetLive(), "live", r) })
	case "ServerReady":
		r, err := call(ctx, raw, &inferencepb.ServerReadyRequest{}, cl.ServerReady)
		return orErr(err, func() error { return check(r.GetReady(), "ready", r) })
	case "ModelReady":
		r, err := call(ctx, raw, &inferencepb.ModelReadyRequest{}, cl.ModelReady)
		return orErr(err, func() error { return check(r.GetReady(), "model ready", r) })
	case "ServerMetadata":
		r, err := call(ctx, raw, &inferencepb.ServerMetadataRequest{}, cl.ServerMetadata)
		return orErr(err, func() error { return check(slices.Contains(r.GetExtensions(), "binary_tensor_data"), "extensions", r) })
	case "ModelMetadata":
		r, err := call(ctx, raw, &inferencepb.ModelMetadataRequest{}, cl.ModelMetadata)
		return orErr(err, func() error { return check(r.GetName() == "sum" && len(r.GetInputs()) == 1, "metadata of sum", r) })
	case "ModelConfig":
		r, err := call(ctx, raw, &inferencepb.ModelConfigRequest{}, cl.ModelConfig)
		return orErr(err, func() error {
			c := r.GetConfig()
			return check(c.GetName() == "sum" && c.GetMaxBatchSize() == 8 && c.GetDynamicBatching().GetPriorityLevels() == 4, "config of sum", r)
		})
	case "ModelStatistics":
		r, err := call(ctx, raw, &inferencepb.ModelStatisticsRequest{}, cl.ModelStatistics)
		return orErr(err, func() error {
			return check(len(r.GetModelStats()) == 1 && r.GetModelStats()[0].GetInferenceCount() > 0, "statistics of sum", r)
		})
	case "ModelInfer":
		req := &inferencepb.ModelInferRequest{}
		if err := proto.Unmarshal(raw, req); err != nil {
			return err
		}
		r, err := cl.ModelInfer(ctx, req)
		return orErr(err, func() error { return inferMatches(req, r) })
	}
	return &replayError{what: "a method this test knows", got: method}
}

type replayError struct{ what, got string }

func (e *replayError) Error() string { return "want " + e.what + ", got " + e.got }

func call[Req, Resp proto.Message](ctx context.Context, raw []byte, req Req, f func(context.Context, Req, ...grpc.CallOption) (Resp, error)) (Resp, error) {
	if err := proto.Unmarshal(raw, req); err != nil {
		var zero Resp
		return zero, err
	}
	return f(ctx, req)
}

func orErr(err error, then func() error) error {
	if err != nil {
		return err
	}
	return then()
}

func checkInferAnswer(t *testing.T, req *inferencepb.ModelInferRequest, resp *inferencepb.ModelInferResponse) {
	t.Helper()
	if err := inferMatches(req, resp); err != nil {
		t.Error(err)
	}
}

// inferMatches checks an answer of the emulator's models: sum answers the
// row sums of x, echo its inputs as they are.
func inferMatches(req *inferencepb.ModelInferRequest, resp *inferencepb.ModelInferResponse) error {
	in, err := oip.RequestFromProto(req)
	if err != nil {
		return err
	}
	out, err := oip.ResponseFromProto(resp)
	if err != nil {
		return err
	}
	if resp.GetId() != req.GetId() {
		return &replayError{what: "id " + req.GetId(), got: resp.GetId()}
	}
	want := in.Inputs
	if req.GetModelName() == "sum" {
		x, _ := in.Inputs[0].Float32s()
		n := int(in.Inputs[0].Shape[1])
		var sums []float32
		for r := 0; r < len(x)/n; r++ {
			var s float32
			for _, v := range x[r*n : (r+1)*n] {
				s += v
			}
			sums = append(sums, s)
		}
		want = []oip.Tensor{oip.NewFP32("sum", []int64{int64(len(sums))}, sums)}
	}
	if diff := cmp.Diff(want, out.Outputs, cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) })); diff != "" {
		return &replayError{what: "the model's answer", got: diff}
	}
	return nil
}
