package gateway_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// binaryBody frames a sum request with x as binary data.
func binaryBody(t *testing.T, rows [][]float32, extra string) ([]byte, string) {
	t.Helper()
	var raw []byte
	for _, r := range rows {
		for _, v := range r {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
	}
	header := `{"inputs":[{"name":"x","datatype":"FP32","shape":[` + strconv.Itoa(len(rows)) + `,` + strconv.Itoa(len(rows[0])) +
		`],"parameters":{"binary_data_size":` + strconv.Itoa(len(raw)) + `}}]` + extra + `}`
	return append([]byte(header), raw...), strconv.Itoa(len(header))
}

func TestBinaryTensorsHTTP(t *testing.T) {
	f := startFleet(t, defaultFleet())
	ctx := context.Background()
	body, hl := binaryBody(t, [][]float32{{1, 2, 3}, {4, 5, 6}}, `,"parameters":{"binary_data_output":true}`)
	r := f.post(ctx, "sum", body, oip.HeaderInferenceLength, hl, "Content-Type", "application/octet-stream")
	if r.status != http.StatusOK {
		t.Fatalf("binary in, binary out: %d %s", r.status, r.body)
	}
	n, _ := strconv.ParseInt(r.header.Get(oip.HeaderInferenceLength), 10, 64)
	resp, err := oip.DecodeBinaryResponse(r.body, n)
	if err != nil {
		t.Fatalf("answer %q: %v", r.body, err)
	}
	if got, _ := resp.Outputs[0].Float32s(); len(got) != 2 || got[0] != 6 || got[1] != 15 {
		t.Errorf("sums %v, want [6 15]", got)
	}
	// Binary in, JSON out (no binary_data_output).
	body, hl = binaryBody(t, [][]float32{{1, 1}}, "")
	if _, out := sums(t, f.post(ctx, "sum", body, oip.HeaderInferenceLength, hl)); len(out) != 1 || out[0] != 2 {
		t.Errorf("binary in, JSON out: %v", out)
	}
}

func TestBinaryTensorsMixedAndEveryDatatypeEcho(t *testing.T) {
	f := startFleet(t, defaultFleet())
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{
		oip.NewRaw("h", oip.FP16, []int64{1, 2}, []byte{0, 0x3c, 0, 0xc0}),
		oip.NewRaw("b", oip.BF16, []int64{1, 1}, []byte{0x80, 0x3f}),
		oip.NewStrings("s", []int64{1, 2}, "hé", ""),
		oip.NewInt32("i", []int64{1, 1}, []int32{-7}),
		oip.NewBool("q", []int64{1, 1}, []bool{true}),
		oip.NewRaw("u", oip.Uint64, []int64{1, 1}, []byte{1, 0, 0, 0, 0, 0, 0, 0x80}),
	}}
	header, data, err := oip.EncodeBinaryRequest(req, func(name string) bool { return name != "i" })
	if err != nil {
		t.Fatal(err)
	}
	body := append(header, bytes.Join(data, nil)...)
	r := f.post(context.Background(), "echo", body, oip.HeaderInferenceLength, strconv.Itoa(len(header)),
		"Content-Type", "application/octet-stream")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	resp, err := oip.DecodeResponse(r.body) // JSON out: no binary output asked
	if err != nil {
		t.Fatalf("%q: %v", r.body, err)
	}
	for i, want := range req.Inputs {
		got := resp.Outputs[i]
		if got.Name != want.Name || !bytes.Equal(got.Raw, want.Raw) || len(got.Elems) != len(want.Elems) {
			t.Errorf("output %d = %+v, want %+v", i, got, want)
		}
	}
}

func TestBinaryFramingErrorsHTTP(t *testing.T) {
	f := startFleet(t, defaultFleet())
	good, hl := binaryBody(t, [][]float32{{1, 2}}, "")
	tests := []struct {
		name string
		body []byte
		hl   string
		want string
	}{
		{"header beyond body", good, "999", "exceeds the body"},
		{"header not a number", good, "x", "Inference-Header-Content-Length"},
		{"trailing bytes", append(append([]byte{}, good...), 0), hl, "bytes after the binary data"},
		{"truncated", good[:len(good)-1], hl, `input "x": binary_data_size 8 exceeds the 7 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(context.Background(), "sum", tt.body, oip.HeaderInferenceLength, tt.hl)
			var e oip.ErrorBody
			_ = json.Unmarshal(r.body, &e)
			if r.status != http.StatusBadRequest || !strings.Contains(e.Error, tt.want) {
				t.Errorf("%d %s, want 400 with %q", r.status, r.body, tt.want)
			}
		})
	}
}

func compress(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser = gzip.NewWriter(&buf)
	if enc == "deflate" {
		w = zlib.NewWriter(&buf)
	}
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func TestCompression(t *testing.T) {
	cfg := defaultFleet()
	cfg.gateway.MaxBodyBytes = 64 << 10
	f := startFleet(t, cfg)
	ctx := context.Background()
	body := sumBody(t, "z", [][]float32{{1, 2}})
	for _, enc := range []string{"gzip", "deflate"} {
		if _, out := sums(t, f.post(ctx, "sum", compress(t, enc, body), "Content-Encoding", enc)); len(out) != 1 || out[0] != 3 {
			t.Errorf("%s request: %v", enc, out)
		}
	}
	bomb := compress(t, "gzip", append([]byte(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}],"id":"`),
		bytes.Repeat([]byte("a"), 1<<20)...))
	if r := f.post(ctx, "sum", bomb, "Content-Encoding", "gzip"); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip bomb of %d bytes: %d %s, want 413", len(bomb), r.status, r.body)
	}
	if r := f.post(ctx, "sum", []byte("not gzip"), "Content-Encoding", "gzip"); r.status != http.StatusBadRequest {
		t.Errorf("corrupt gzip: %d %s, want 400", r.status, r.body)
	}
	req, _ := http.NewRequest(http.MethodPost, f.url+"/v2/models/sum/infer", bytes.NewReader(body))
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q, %v", resp.Header.Get("Content-Encoding"), err)
	}
	plain, _ := io.ReadAll(zr)
	if _, out := sums(t, reply{status: resp.StatusCode, body: plain}); len(out) != 1 || out[0] != 3 {
		t.Errorf("gzip answer %q", plain)
	}
}

func TestHealthBodiesListingAndUnsupported(t *testing.T) {
	cfg := defaultFleet()
	cfg.idle = []string{"cold"}
	f := startFleet(t, cfg)
	tests := []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/v2/health/live", 200, `{"live":true}`},
		{"GET", "/v2/health/ready", 503, `{"ready":false}`},
		{"GET", "/v2/models/sum/ready", 200, `{"name":"sum","ready":true}`},
		{"GET", "/v2/models/cold/ready", 503, `"ready":false,"reason":"router: no pool can take the request`},
		{"GET", "/v2/models", 200, `{"models":["cold","echo","sum"],"states":[{"name":"cold","ready":false`},
		{"GET", "/v2", 200, `"extensions":["binary_tensor_data","model_configuration","statistics","sequence","schedule_policy","parameters"]`},
		{"POST", "/v2/repository/index", 200, `{"name":"echo","state":"READY"}`},
		{"POST", "/v2/repository/models/sum/load", 400, "model repository extension"},
		{"GET", "/v2/systemsharedmemory/status", 400, "system shared memory extension is not supported"},
		{"POST", "/v2/cudasharedmemory/region/r/register", 400, "CUDA shared memory extension is not supported"},
		{"GET", "/v2/trace/setting", 400, "trace extension is not supported"},
		{"POST", "/v2/logging", 400, "logging extension is not supported"},
		{"POST", "/v2/models/sum/generate", 400, "generate extension is not supported"},
		{"POST", "/v2/models/sum/versions/1/generate_stream", 400, "generate extension is not supported"},
		{"POST", "/v1/models/sum:predict", 400, "KServe's v1 protocol is not supported"},
		{"GET", "/v2/models/nope/config", 404, "unknown model"},
		{"GET", "/v2/models/sum/stats", 200, `{"model_stats":[{"name":"sum"`},
		{"GET", "/v2/models/sum/config", 200, `"max_batch_size":32`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, f.url+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", tt.method, tt.path, resp.StatusCode, b, tt.status, tt.want)
		}
	}
	r := f.post(context.Background(), "sum", []byte(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1],"parameters":{"shared_memory_region":"r"}}]}`))
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "shared memory") {
		t.Errorf("an input in shared memory: %d %s", r.status, r.body)
	}
}

func dial(t *testing.T, f *fleet) *grpc.ClientConn {
	t.Helper()
	ln := listen(t)
	s := grpc.NewServer()
	f.gw.RegisterGRPC(s)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestGRPCHealthReflectionAndUnsupported(t *testing.T) {
	f := startFleet(t, defaultFleet())
	conn := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := healthpb.NewHealthClient(conn)
	for _, svc := range []string{"", "inference.GRPCInferenceService", "sum"} {
		r, err := h.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("Check(%q) = %v, %v; want SERVING", svc, r, err)
		}
	}
	if _, err := h.Check(ctx, &healthpb.HealthCheckRequest{Service: "nope"}); status.Code(err) != codes.NotFound {
		t.Errorf("Check(nope): %v, want NotFound", err)
	}
	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
	lr, err := rs.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range lr.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"inference.GRPCInferenceService", "grpc.health.v1.Health"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("reflection lists %v, want %s", names, want)
		}
	}
	cl := inferencepb.NewGRPCInferenceServiceClient(conn)
	_, err = cl.SystemSharedMemoryRegister(ctx, &inferencepb.SystemSharedMemoryRegisterRequest{Name: "r"})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "shared memory extension") {
		t.Errorf("SystemSharedMemoryRegister: %v, want Unimplemented naming the extension", err)
	}
	_, err = cl.RepositoryModelLoad(ctx, &inferencepb.RepositoryModelLoadRequest{ModelName: "sum"})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("RepositoryModelLoad: %v, want Unimplemented", err)
	}
}

func TestTimeoutOverflowIsRejected(t *testing.T) {
	f := startFleet(t, defaultFleet())
	for _, us := range []string{"9223372036854776", "1e19", "18446744073709551615"} {
		body := []byte(`{"parameters":{"timeout":` + us + `},"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}]}`)
		if r := f.post(context.Background(), "sum", body); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "timeout") {
			t.Errorf("timeout %s µs: %d %s, want 400", us, r.status, r.body)
		}
	}
}
