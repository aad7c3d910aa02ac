package gateway_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// The test keys, as clients send them, and their tenants.
const (
	keyHigh   = "test-key-high"   // tenant hi: priority high, every model
	keyNormal = "test-key-normal" // tenant mid: priority normal, every model
	keyLow    = "test-key-low"    // tenant lo: priority low, every model
	keySum    = "test-key-sum"    // tenant sums: priority normal, only sum
)

var testKeys = []string{keyHigh, keyNormal, keyLow, keySum}

func testKeyring(t *testing.T) *gateway.Keyring {
	t.Helper()
	key := func(plain, tenant string, p batcher.Priority, models ...string) gateway.Key {
		return gateway.Key{SHA256: sha256.Sum256([]byte(plain)), Tenant: tenant, Priority: p, Models: models}
	}
	kr, err := gateway.NewKeyring([]gateway.Key{
		key(keyHigh, "hi", batcher.High, "*"),
		key(keyNormal, "mid", batcher.Normal, "*"),
		key(keyLow, "lo", batcher.Low, "*"),
		key(keySum, "sums", batcher.Normal, "sum"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// authFleet is a fleet with the test keys, the models "idle" and "dead"
// that never have capacity, and the fallbacks sum → echo and idle → sum
// (all off).
type authFleet struct {
	*fleet
	admission *gateway.Admission
	tenants   *gateway.TenantCounters
}

// startAuthFleet starts an authFleet with limits, which may be nil, after
// applying change to its configuration.
func startAuthFleet(t *testing.T, limits *gateway.RateLimits, change ...func(*fleetConfig)) authFleet {
	t.Helper()
	fallbacks := map[string]string{"sum": "echo", "idle": "sum"}
	adm, err := gateway.NewAdmission(fallbacks)
	if err != nil {
		t.Fatal(err)
	}
	f := authFleet{admission: adm, tenants: &gateway.TenantCounters{}}
	cfg := defaultFleet()
	cfg.idle = []string{"idle", "dead"}
	cfg.fallbacks = fallbacks
	cfg.gateway = gateway.Options{Keys: testKeyring(t), Limits: limits, Admission: adm, Tenants: f.tenants}
	for _, c := range change {
		c(&cfg)
	}
	f.fleet = startFleet(t, cfg)
	return f
}

const sumJSON = `{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}`

func sumProto(model string) *inferencepb.ModelInferRequest {
	return &inferencepb.ModelInferRequest{
		ModelName: model,
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{2, 3},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4, 5, 6}},
		}},
	}
}

// inferGRPC sends the sum request to model over gRPC with metadata md
// (name, value, ...) and returns the response and its header metadata.
func (f *fleet) inferGRPC(ctx context.Context, model string, md ...string) (*oip.InferenceResponse, metadata.MD, error) {
	var header metadata.MD
	resp, err := f.grpc.ModelInfer(metadata.AppendToOutgoingContext(ctx, md...), sumProto(model), grpc.Header(&header))
	if err != nil {
		return nil, header, err
	}
	out, err := oip.ResponseFromProto(resp)
	return out, header, err
}

// retryDelay returns the RetryInfo delay of a gRPC error; 0 if none.
func retryDelay(err error) time.Duration {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return 0
}

// checkNoKey fails if s holds any test key.
func checkNoKey(t *testing.T, where, s string) {
	t.Helper()
	for _, k := range testKeys {
		if strings.Contains(s, k) {
			t.Errorf("%s holds the key %q: %s", where, k, s)
		}
	}
}

// TestAuth calls through a real HTTP server and a real gRPC client with no
// key, a wrong key, a forbidden and an allowed model.
func TestAuth(t *testing.T) {
	f := startAuthFleet(t, nil)
	tests := []struct {
		name   string
		model  string
		creds  []string // header or metadata name, value
		status int
		code   codes.Code
		want   string // in the error message
	}{
		{"no key", "sum", nil, http.StatusUnauthorized, codes.Unauthenticated, "no API key"},
		{"wrong key", "sum", []string{"authorization", "Bearer wrong-key"}, http.StatusUnauthorized, codes.Unauthenticated, "unknown API key"},
		{"not a bearer token", "sum", []string{"authorization", "Basic " + keySum}, http.StatusUnauthorized, codes.Unauthenticated, "Bearer"},
		{"two keys", "sum", []string{"authorization", "Bearer " + keySum, "x-api-key", keyHigh}, http.StatusUnauthorized, codes.Unauthenticated, "more than one"},
		{"forbidden model", "echo", []string{"x-api-key", keySum}, http.StatusForbidden, codes.PermissionDenied, `tenant "sums" may not call model "echo"`},
		{"forbidden unknown model", "nope", []string{"x-api-key", keySum}, http.StatusForbidden, codes.PermissionDenied, `"nope"`},
		{"allowed, bearer", "sum", []string{"authorization", "Bearer " + keySum}, http.StatusOK, codes.OK, ""},
		{"allowed, x-api-key", "sum", []string{"x-api-key", keySum}, http.StatusOK, codes.OK, ""},
		{"allowed, unknown model", "nope", []string{"x-api-key", keyHigh}, http.StatusNotFound, codes.NotFound, `"nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" over HTTP", func(t *testing.T) {
			r := f.post(context.Background(), tt.model, []byte(sumJSON), tt.creds...)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != http.StatusOK {
				checkErrorBody(t, r.body, tt.want)
			}
			if got := r.header.Get("WWW-Authenticate"); (got != "") != (tt.status == http.StatusUnauthorized) {
				t.Errorf("WWW-Authenticate = %q with status %d", got, r.status)
			}
			checkNoKey(t, "the body", string(r.body))
		})
		t.Run(tt.name+" over gRPC", func(t *testing.T) {
			_, _, err := f.inferGRPC(context.Background(), tt.model, tt.creds...)
			st := status.Convert(err)
			if st.Code() != tt.code || !strings.Contains(st.Message(), tt.want) {
				t.Errorf("status = %v %q, want %v containing %q", st.Code(), st.Message(), tt.code, tt.want)
			}
			checkNoKey(t, "the status", st.Message())
		})
	}
	want := gateway.TenantCount{Requests: 8, Answered: 4, Inferences: 8, Failed: map[string]int64{gateway.ReasonForbidden: 4}}
	if diff := cmp.Diff(want, f.tenants.Snapshot()["sums"]); diff != "" {
		t.Errorf("tenant sums's count (-want +got):\n%s", diff)
	}
}

// TestShed checks that shed levels refuse low, then normal calls, with the
// reason and a Retry-After, while high calls pass; the priority header may
// lower a key's class, never raise it.
func TestShed(t *testing.T) {
	f := startAuthFleet(t, nil)
	tests := []struct {
		level    batcher.ShedLevel
		key      string
		priority string // x-sluice-priority; empty for none
		shed     bool
	}{
		{batcher.ShedLow, keyLow, "", true},
		{batcher.ShedLow, keyLow, "high", true},
		{batcher.ShedLow, keyNormal, "", false},
		{batcher.ShedLow, keyHigh, "", false},
		{batcher.ShedLow, keyHigh, "low", true},
		{batcher.ShedNormal, keyNormal, "", true},
		{batcher.ShedNormal, keyHigh, "normal", true},
		{batcher.ShedNormal, keyHigh, "", false},
		{batcher.ShedNone, keyLow, "", false},
	}
	for _, tt := range tests {
		name := tt.level.String() + "/" + strings.TrimPrefix(tt.key, "test-key-") + "/" + tt.priority
		headers := []string{"x-api-key", tt.key}
		if tt.priority != "" {
			headers = append(headers, "x-sluice-priority", tt.priority)
		}
		t.Run(name, func(t *testing.T) {
			f.admission.SetShed(tt.level)
			r := f.post(context.Background(), "sum", []byte(sumJSON), headers...)
			_, _, err := f.inferGRPC(context.Background(), "sum", headers...)
			if !tt.shed {
				if r.status != http.StatusOK || err != nil {
					t.Errorf("HTTP %d %s; gRPC %v; want both served", r.status, r.body, err)
				}
				return
			}
			if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "2" {
				t.Errorf("HTTP %d, Retry-After %q; want 503 and 2", r.status, r.header.Get("Retry-After"))
			}
			checkErrorBody(t, r.body, "refused at shed level "+tt.level.String())
			if status.Code(err) != codes.Unavailable || retryDelay(err) != gateway.ShedRetryAfter {
				t.Errorf("gRPC %v with retry delay %v; want Unavailable and %v", err, retryDelay(err), gateway.ShedRetryAfter)
			}
		})
	}
}

// TestFallback checks that a model whose fallback is on, and one without
// capacity, are served by their fallbacks, and that the answer says so.
func TestFallback(t *testing.T) {
	f := startAuthFleet(t, nil)
	tests := []struct {
		name     string
		model    string
		on       bool // sum's fallback
		served   string
		fallback string // reason; empty when not a fallback
	}{
		{"fallback off", "sum", false, "sum", ""},
		{"fallback on", "sum", true, "echo", gateway.FallbackShed},
		{"no capacity", "idle", false, "sum", gateway.FallbackNoCapacity},
		{"no capacity, no fallback", "dead", false, "", ""},
	}
	for _, tt := range tests {
		if err := f.admission.SetFallback("sum", tt.on); err != nil {
			t.Fatal(err)
		}
		t.Run(tt.name+" over HTTP", func(t *testing.T) {
			r := f.post(context.Background(), tt.model, []byte(sumJSON), "x-api-key", keyHigh)
			if tt.served == "" {
				if r.status != http.StatusServiceUnavailable || r.header.Get(gateway.HeaderFallbackFrom) != "" {
					t.Errorf("status %d, fallback header %q; want 503 and none", r.status, r.header.Get(gateway.HeaderFallbackFrom))
				}
				return
			}
			resp, err := oip.DecodeResponse(r.body)
			if err != nil {
				t.Fatalf("status %d: %s: %v", r.status, r.body, err)
			}
			checkServed(t, resp, tt.served)
			checkMarked(t, r.header.Get(gateway.HeaderFallbackFrom), r.header.Get(gateway.HeaderFallbackReason), tt.model, tt.fallback)
		})
		t.Run(tt.name+" over gRPC", func(t *testing.T) {
			resp, md, err := f.inferGRPC(context.Background(), tt.model, "x-api-key", keyHigh)
			if tt.served == "" {
				if status.Code(err) != codes.Unavailable {
					t.Errorf("gRPC %v, want Unavailable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkServed(t, resp, tt.served)
			checkMarked(t, first(md, gateway.HeaderFallbackFrom), first(md, gateway.HeaderFallbackReason), tt.model, tt.fallback)
		})
	}
	if got := f.tenants.Snapshot()["hi"].Fallbacks; got != 4 {
		t.Errorf("tenant hi has %d answers by fallback, want 4", got)
	}
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// checkServed checks that the answer came from model: sum adds rows, echo
// returns its input.
func checkServed(t *testing.T, resp *oip.InferenceResponse, model string) {
	t.Helper()
	want := map[string][]float32{"sum": {6, 15}, "echo": {1, 2, 3, 4, 5, 6}}[model]
	got, err := resp.Outputs[0].Float32s()
	if err != nil || resp.ModelName != model {
		t.Fatalf("answer of model %q (%v), want one of %q", resp.ModelName, err, model)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func checkMarked(t *testing.T, from, reason, model, wantReason string) {
	t.Helper()
	wantFrom := model
	if wantReason == "" {
		wantFrom = ""
	}
	if from != wantFrom || reason != wantReason {
		t.Errorf("fallback from %q, reason %q; want %q, %q", from, reason, wantFrom, wantReason)
	}
}

// TestGRPCDeadline checks that the gRPC front end honours the client's
// deadline: a call whose deadline passes while it is queued leaves the
// queue and never reaches the worker.
func TestGRPCDeadline(t *testing.T) {
	f := startFleet(t, slowFleet(nil))
	blocker := f.block(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := f.inferGRPC(ctx, "echo"); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("gRPC %v, want DeadlineExceeded", err)
	}
	f.waitFor(t, "the call to leave the queue", func(s batcher.Stats) bool {
		return s.Queued.Total() == 0 && s.Rejected.Deadline+s.Rejected.Canceled == 1
	})
	<-blocker
	if got := f.workers[0].Stats().Batches; got != 1 {
		t.Errorf("worker ran %d batches, want 1 (the blocker)", got)
	}
}
