package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

func TestSumOverHTTPAndGRPC(t *testing.T) {
	f := startFleet(t, defaultFleet())
	ctx := context.Background()

	id, got := sums(t, f.post(ctx, "sum", []byte(`{"id":"a","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}`)))
	if diff := cmp.Diff([]float32{6, 15}, got); diff != "" || id != "a" {
		t.Errorf("HTTP: id %q, sums (-want +got):\n%s", id, diff)
	}

	resp, err := f.grpc.ModelInfer(ctx, &inferencepb.ModelInferRequest{
		ModelName: "sum", Id: "b",
		Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{{
			Name: "x", Datatype: "FP32", Shape: []int64{2, 3},
			Contents: &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4, 5, 6}},
		}},
	})
	if err != nil {
		t.Fatalf("gRPC ModelInfer: %v", err)
	}
	out, err := oip.ResponseFromProto(resp)
	if err != nil {
		t.Fatal(err)
	}
	got, err = out.Outputs[0].Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{6, 15}, got); diff != "" || out.ID != "b" || out.ModelName != "sum" {
		t.Errorf("gRPC: id %q model %q, sums (-want +got):\n%s", out.ID, out.ModelName, diff)
	}
}

// TestHTTPBadInput checks that every bad request is answered with its
// status and a one-line JSON error that says what is wrong.
func TestHTTPBadInput(t *testing.T) {
	f := startFleet(t, defaultFleet())
	tests := []struct {
		name    string
		model   string
		body    string
		headers []string
		status  int
		want    string
	}{
		{"malformed JSON", "sum", `{"inputs":[`, nil, http.StatusBadRequest, "oip"},
		{"not an object", "sum", `[1,2]`, nil, http.StatusBadRequest, "oip"},
		{"no inputs", "sum", `{"inputs":[]}`, nil, http.StatusBadRequest, "input"},
		{"shape does not match data", "sum", `{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3]}]}`, nil, http.StatusBadRequest, `"x"`},
		{"unknown datatype", "sum", `{"inputs":[{"name":"x","shape":[1],"datatype":"FP8","data":[1]}]}`, nil, http.StatusBadRequest, "FP8"},
		{"integer out of range", "echo", `{"inputs":[{"name":"x","shape":[1],"datatype":"UINT8","data":[300]}]}`, nil, http.StatusBadRequest, "300"},
		{"duplicate input", "echo", `{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]},{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}`, nil, http.StatusBadRequest, `"x"`},
		{"wrong input for model", "sum", `{"inputs":[{"name":"y","shape":[1,1],"datatype":"FP32","data":[1]}]}`, nil, http.StatusBadRequest, `y`},
		{"unknown model", "nope", `{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`, nil, http.StatusNotFound, `"nope"`},
		{"bad timeout header", "sum", `{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`, []string{"x-sluice-timeout-ms", "soon"}, http.StatusBadRequest, "x-sluice-timeout-ms"},
		{"bad priority header", "sum", `{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`, []string{"x-sluice-priority", "urgent"}, http.StatusBadRequest, "urgent"},
		{"bad timeout parameter", "sum", `{"parameters":{"timeout":-5},"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}`, nil, http.StatusBadRequest, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(context.Background(), tt.model, []byte(tt.body), tt.headers...)
			if r.status != tt.status {
				t.Errorf("status = %d, want %d (body %s)", r.status, tt.status, r.body)
			}
			checkErrorBody(t, r.body, tt.want)
		})
	}
}

// checkErrorBody checks that body is one line of {"error": "..."} whose
// message contains want.
func checkErrorBody(t *testing.T, body []byte, want string) {
	t.Helper()
	if n := strings.Count(strings.TrimSpace(string(body)), "\n"); n != 0 {
		t.Errorf("error body has %d line breaks, want one line: %s", n, body)
	}
	var e oip.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Fatalf("body %s is not {\"error\": ...}: %v", body, err)
	}
	if !strings.Contains(e.Error, want) {
		t.Errorf("error %q does not mention %q", e.Error, want)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	f := startFleet(t, defaultFleet())
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/v2", http.StatusOK},
		{http.MethodGet, "/v2/health/live", http.StatusOK},
		{http.MethodGet, "/v2/health/ready", http.StatusOK},
		{http.MethodGet, "/v2/models/sum", http.StatusOK},
		{http.MethodGet, "/v2/models/sum/ready", http.StatusOK},
		{http.MethodGet, "/v2/models/nope/ready", http.StatusNotFound},
		{http.MethodGet, "/v2/models/nope", http.StatusNotFound},
		{http.MethodGet, "/v3", http.StatusNotFound},
		{http.MethodGet, "/v2/models/sum/infer", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, f.url+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestHTTPModelMetadata(t *testing.T) {
	f := startFleet(t, defaultFleet())
	resp, err := http.Get(f.url + "/v2/models/sum")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md oip.ModelMetadata
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.Name != "sum" || len(md.Inputs) != 1 || md.Inputs[0].Name != "x" {
		t.Errorf("metadata = %+v, want model sum with input x", md)
	}
}
