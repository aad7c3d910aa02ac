package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// logRecords is a slog handler that keeps each record's level and
// message.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecords) WithGroup(string) slog.Handler            { return h }
func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r)
	return nil
}

// count returns how many records of level mention substr in their
// message.
func (h *logRecords) count(level slog.Level, substr string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Level == level && strings.Contains(r.Message, substr) {
			n++
		}
	}
	return n
}

// get fetches path from the fleet's HTTP front end. A transport failure
// is status -1 with the error as body, so get may run on any goroutine.
func (f *fleet) get(path string) (int, []byte) {
	resp, err := http.Get(f.url + path)
	if err != nil {
		return -1, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestUnservedModelIsNotReady routes a model that the pool's two workers
// do not serve: once both have said so, the model is not ready over HTTP
// and gRPC, with their answers as the reason; its calls are refused with
// 503 / UNAVAILABLE without reaching a worker; the router logs one WARN
// for it, however often it is asked; the models the workers serve stay
// ready.
func TestUnservedModelIsNotReady(t *testing.T) {
	logs := &logRecords{}
	cfg := defaultFleet()
	cfg.workers = 2
	cfg.unserved = []string{"bert"}
	cfg.routerLog = slog.New(logs)
	cfg.gateway.Logger = slog.New(slog.DiscardHandler)
	f := startFleet(t, cfg)
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var code int
		if code, body = f.get("/v2/models/bert/ready"); code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bert still ready after 10 s: %d %s", code, body)
		}
	}
	var st struct {
		Name   string `json:"name"`
		Ready  bool   `json:"ready"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &st); err != nil || st.Name != "bert" || st.Ready {
		t.Fatalf("ready answer %s (%v): want bert not ready", body, err)
	}
	for _, want := range []string{`do not serve model "bert"`, `worker "w0"`, `worker "w1"`} {
		if !strings.Contains(st.Reason, want) {
			t.Errorf("reason %q does not say %s", st.Reason, want)
		}
	}
	ctx := context.Background()
	for range 3 {
		if r, err := f.grpc.ModelReady(ctx, &inferencepb.ModelReadyRequest{Name: "bert"}); err != nil || r.GetReady() {
			t.Errorf("gRPC ModelReady(bert) = %v, %v; want not ready", r, err)
		}
		if r := f.post(ctx, "bert", sumBody(t, "", [][]float32{{1}})); r.status != http.StatusServiceUnavailable ||
			!strings.Contains(string(r.body), `do not serve model \"bert\"`) {
			t.Errorf("infer bert: %d %s, want 503 saying the workers do not serve it", r.status, r.body)
		}
		_, err := f.grpc.ModelInfer(ctx, &inferencepb.ModelInferRequest{ModelName: "bert", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{1, 1}, Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1}}}}})
		if status.Code(err) != codes.Unavailable {
			t.Errorf("gRPC infer bert: %v, want UNAVAILABLE", err)
		}
	}
	for _, w := range f.workers {
		if st := w.Stats(); st.Batches != 0 {
			t.Errorf("a worker ran %d batches: a call of bert reached it", st.Batches)
		}
	}
	if code, body := f.get("/v2/models/sum/ready"); code != http.StatusOK {
		t.Errorf("sum: %d %s, want ready", code, body)
	}
	if n := logs.count(slog.LevelWarn, "do not serve a model"); n != 1 {
		t.Errorf("%d WARN logs that the workers do not serve bert, want 1", n)
	}
}

// TestMetadataAnswersOnceReady asks for a model's metadata and
// configuration, over HTTP and gRPC, while its pool has no worker: the
// calls are held, not refused, and answered with the worker's metadata
// once one attaches; and the first calls made the moment the model turns
// ready are answered at once.
func TestMetadataAnswersOnceReady(t *testing.T) {
	cfg := defaultFleet()
	cfg.workers = 0
	f := startFleet(t, cfg)
	if code, _ := f.get("/v2/models/sum/ready"); code != http.StatusServiceUnavailable {
		t.Fatalf("sum ready without a worker: %d, want 503", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := metadataCalls(ctx, f)
	type answer struct{ name, problem string }
	answers := make(chan answer, len(calls))
	for name, call := range calls {
		go func() { answers <- answer{name, call(name)} }()
	}
	// Refused calls would be answered at once; held ones are not.
	select {
	case a := <-answers:
		t.Fatalf("%s answered before any worker attached (%q)", a.name, a.problem)
	case <-time.After(100 * time.Millisecond):
	}
	_, ep := startWorker(t, cfg, 0)
	if err := f.router.SetEndpoints("pool", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	for range calls {
		if a := <-answers; a.problem != "" {
			t.Error("held:", a.problem)
		}
	}

	g := startFleet(t, cfg)
	_, ep = startWorker(t, cfg, 0)
	if err := g.router.SetEndpoints("pool", []router.Endpoint{ep}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if code, _ := g.get("/v2/models/sum/ready"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sum not ready 10 s after its worker attached")
		}
	}
	for name, call := range metadataCalls(ctx, g) {
		if msg := call(name); msg != "" {
			t.Error("right after readiness:", msg)
		}
	}
}

// metadataCalls returns, by name, calls of sum's metadata and
// configuration on f, each returning "" when answered with sum's, else
// what went wrong.
func metadataCalls(ctx context.Context, f *fleet) map[string]func(string) string {
	httpCall := func(path, want string) func(string) string {
		return func(name string) string {
			code, body := f.get(path)
			if code != http.StatusOK || !strings.Contains(string(body), want) {
				return name + ": " + http.StatusText(code) + " " + string(body)
			}
			return ""
		}
	}
	return map[string]func(string) string{
		"HTTP metadata": httpCall("/v2/models/sum", `"inputs":[{"name":"x"`),
		"HTTP config":   httpCall("/v2/models/sum/config", `"max_batch_size":32`),
		"gRPC ModelMetadata": func(name string) string {
			r, err := f.grpc.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: "sum"})
			if err != nil || len(r.GetInputs()) != 1 || r.GetInputs()[0].GetName() != "x" {
				return name + ": " + r.String() + " " + errString(err)
			}
			return ""
		},
		"gRPC ModelConfig": func(name string) string {
			r, err := f.grpc.ModelConfig(ctx, &inferencepb.ModelConfigRequest{Name: "sum"})
			if err != nil || r.GetConfig().GetName() != "sum" || len(r.GetConfig().GetInput()) != 1 {
				return name + ": " + r.String() + " " + errString(err)
			}
			return ""
		},
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
