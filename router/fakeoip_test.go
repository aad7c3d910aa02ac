package router_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// fakeOIP is an OIP v2 HTTP server of its own, not the emulator: it
// serves the models it is given, each echoing its inputs after delay and
// describing itself in metadata and in Triton's model configuration, and
// answers 404 for any other.
type fakeOIP struct {
	models map[string]oip.ModelMetadata
	delay  atomic.Int64 // nanoseconds each inference takes
	calls  atomic.Int64 // inferences answered
}

// startFakeOIP serves a fakeOIP of models, each with one FP32 input "x"
// of shape [-1, 4], until the test ends.
func startFakeOIP(t *testing.T, id string, delay time.Duration, models ...string) (*fakeOIP, router.Endpoint) {
	t.Helper()
	f := &fakeOIP{models: map[string]oip.ModelMetadata{}}
	for _, m := range models {
		f.models[m] = oip.ModelMetadata{Name: m, Platform: "fake",
			Inputs:  []oip.TensorMetadata{{Name: "x", Datatype: "FP32", Shape: []int64{-1, 4}}},
			Outputs: []oip.TensorMetadata{{Name: "x", Datatype: "FP32", Shape: []int64{-1, 4}}}}
	}
	f.delay.Store(int64(delay))
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, router.Endpoint{ID: id, HTTP: strings.TrimPrefix(srv.URL, "http://"), Protocol: router.ProtocolHTTP}
}

func (f *fakeOIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/health/ready" {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/models/")
	name, infer := strings.CutSuffix(rest, "/infer")
	name, config := strings.CutSuffix(name, "/config")
	md, known := f.models[name]
	switch {
	case !ok || !known:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"model not found"}`)
	case config:
		_, _ = fmt.Fprintf(w, `{"name":%q,"platform":"fake","max_batch_size":8,"input":[{"name":"x","data_type":"TYPE_FP32","dims":[4]}],"extra":1}`, name)
	case !infer:
		_ = json.NewEncoder(w).Encode(md)
	default:
		f.infer(w, r, name)
	}
}

func (f *fakeOIP) infer(w http.ResponseWriter, r *http.Request, model string) {
	body, _ := io.ReadAll(r.Body)
	req, err := oip.DecodeRequest(body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"bad request"}`)
		return
	}
	time.Sleep(time.Duration(f.delay.Load()))
	out, _ := (&oip.InferenceResponse{ModelName: model, Outputs: req.Inputs}).MarshalJSON()
	f.calls.Add(1)
	_, _ = w.Write(out)
}

// waitFor polls cond every 10 ms until it holds, and fails the test if it
// does not within timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * ms) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, timeout)
		}
	}
}
