package worker

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHTTPInfer(t *testing.T) {
	ts := startServer(t, Options{Name: "w1", MaxBatch: 4, Clock: newFakeClock()})
	sumOf := func(data ...any) []jsonTensor {
		return []jsonTensor{{Name: "sum", Datatype: "FP32", Shape: []int64{int64(len(data))}, Data: data}}
	}
	mixed := `[
		{"name":"f32","datatype":"FP32","shape":[2],"data":[1.5,-2]},
		{"name":"f64","datatype":"FP64","shape":[1],"data":[0.25]},
		{"name":"i64","datatype":"INT64","shape":[2,1],"data":[-7,9000]},
		{"name":"u8","datatype":"UINT8","shape":[3],"data":[0,1,255]},
		{"name":"ok","datatype":"BOOL","shape":[2],"data":[true,false]},
		{"name":"s","datatype":"BYTES","shape":[2],"data":["hello",""]}]`
	tests := []struct {
		name     string
		path     string
		body     string
		wantCode int
		want     jsonResponse // Error is only checked to be non-empty
	}{
		{
			name: "sum of each row", path: "/v2/models/sum/infer",
			body:     `{"id":"r1","inputs":[{"name":"x","datatype":"FP32","shape":[2,3],"data":[1,2,3,4,5,6]}]}`,
			wantCode: http.StatusOK,
			want:     jsonResponse{ModelName: "sum", ModelVersion: "1", ID: "r1", Outputs: sumOf(6.0, 15.0)},
		},
		{
			name: "sum with version in path", path: "/v2/models/sum/versions/1/infer",
			body:     `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[0.5,0.25]}]}`,
			wantCode: http.StatusOK,
			want:     jsonResponse{ModelName: "sum", ModelVersion: "1", Outputs: sumOf(0.75)},
		},
		{
			name: "echo every datatype", path: "/v2/models/echo/infer",
			body:     `{"id":"e","inputs":` + mixed + `}`,
			wantCode: http.StatusOK,
			want: jsonResponse{ModelName: "echo", ModelVersion: "1", ID: "e", Outputs: []jsonTensor{
				{Name: "f32", Datatype: "FP32", Shape: []int64{2}, Data: []any{1.5, -2.0}},
				{Name: "f64", Datatype: "FP64", Shape: []int64{1}, Data: []any{0.25}},
				{Name: "i64", Datatype: "INT64", Shape: []int64{2, 1}, Data: []any{-7.0, 9000.0}},
				{Name: "u8", Datatype: "UINT8", Shape: []int64{3}, Data: []any{0.0, 1.0, 255.0}},
				{Name: "ok", Datatype: "BOOL", Shape: []int64{2}, Data: []any{true, false}},
				{Name: "s", Datatype: "BYTES", Shape: []int64{2}, Data: []any{"hello", ""}},
			}},
		},
		{
			name: "echo requested outputs only", path: "/v2/models/echo/infer",
			body:     `{"inputs":` + mixed + `,"outputs":[{"name":"s"},{"name":"f64"}]}`,
			wantCode: http.StatusOK,
			want: jsonResponse{ModelName: "echo", ModelVersion: "1", Outputs: []jsonTensor{
				{Name: "s", Datatype: "BYTES", Shape: []int64{2}, Data: []any{"hello", ""}},
				{Name: "f64", Datatype: "FP64", Shape: []int64{1}, Data: []any{0.25}},
			}},
		},
		{name: "unknown model", path: "/v2/models/nope/infer", body: `{"inputs":[]}`, wantCode: http.StatusNotFound},
		{name: "unknown version", path: "/v2/models/sum/versions/2/infer", body: `{}`, wantCode: http.StatusNotFound},
		{name: "malformed JSON", path: "/v2/models/sum/infer", body: `{"inputs":[`, wantCode: http.StatusBadRequest},
		{
			name: "data does not fit shape", path: "/v2/models/echo/infer",
			body:     `{"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[1,2,3]}]}`,
			wantCode: http.StatusBadRequest,
		},
		{
			name: "sum of another input", path: "/v2/models/sum/infer",
			body:     `{"inputs":[{"name":"y","datatype":"FP32","shape":[1,1],"data":[1]}]}`,
			wantCode: http.StatusBadRequest,
		},
		{
			name: "sum of INT32", path: "/v2/models/sum/infer",
			body:     `{"inputs":[{"name":"x","datatype":"INT32","shape":[1,1],"data":[1]}]}`,
			wantCode: http.StatusBadRequest,
		},
		{
			name: "unknown requested output", path: "/v2/models/sum/infer",
			body:     `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}],"outputs":[{"name":"mean"}]}`,
			wantCode: http.StatusBadRequest,
		},
		{
			name: "more rows than max batch", path: "/v2/models/sum/infer",
			body:     `{"inputs":[{"name":"x","datatype":"FP32","shape":[5,1],"data":[1,2,3,4,5]}]}`,
			wantCode: http.StatusBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got := do[jsonResponse](t, http.MethodPost, ts.httpURL+tt.path, tt.body)
			if code != tt.wantCode {
				t.Errorf("status = %d, want %d (error %q)", code, tt.wantCode, got.Error)
			}
			if (tt.wantCode != http.StatusOK) != (got.Error != "") {
				t.Errorf("error = %q, want one exactly when the status is not 200", got.Error)
			}
			got.Error = ""
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPMetadataAndHealth(t *testing.T) {
	ts := startServer(t, Options{Name: "w1", Clock: newFakeClock()})
	sumMeta := map[string]any{
		"name": "sum", "versions": []any{"1"}, "platform": "sluice-emulated",
		"inputs":  []any{map[string]any{"name": "x", "datatype": "FP32", "shape": []any{-1.0, -1.0}}},
		"outputs": []any{map[string]any{"name": "sum", "datatype": "FP32", "shape": []any{-1.0}}},
	}
	tests := []struct {
		name     string
		path     string
		wantCode int
		want     map[string]any // nil: an {"error": ...} body
	}{
		{"server metadata", "/v2", http.StatusOK, map[string]any{"name": "w1", "version": "1", "extensions": []any{}}},
		{"live", "/v2/health/live", http.StatusOK, map[string]any{"live": true}},
		{"ready", "/v2/health/ready", http.StatusOK, map[string]any{"ready": true}},
		{"model metadata", "/v2/models/sum", http.StatusOK, sumMeta},
		{"model metadata of version", "/v2/models/sum/versions/1", http.StatusOK, sumMeta},
		{"model ready", "/v2/models/echo/ready", http.StatusOK, map[string]any{"name": "echo", "ready": true}},
		{"model stats", "/v2/models/echo/stats", http.StatusOK, map[string]any{"model": "echo", "batches": 0.0, "items": 0.0}},
		{"unknown model metadata", "/v2/models/nope", http.StatusNotFound, nil},
		{"unknown model ready", "/v2/models/nope/ready", http.StatusNotFound, nil},
		{"unknown version ready", "/v2/models/sum/versions/7/ready", http.StatusNotFound, nil},
		{"unknown model stats", "/v2/models/nope/stats", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got := do[map[string]any](t, http.MethodGet, ts.httpURL+tt.path, "")
			if code != tt.wantCode {
				t.Errorf("status = %d, want %d", code, tt.wantCode)
			}
			if tt.want == nil {
				if msg, _ := got["error"].(string); msg == "" || len(got) != 1 {
					t.Errorf("body = %v, want only a non-empty error", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPNotReadyDuringColdStart(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Options{ColdStart: 30 * time.Second, Clock: clock})
	infer := `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}]}`
	check := func(path string, wantCode int) {
		t.Helper()
		method, body := http.MethodGet, ""
		if path == "/v2/models/sum/infer" {
			method, body = http.MethodPost, infer
		}
		if code, _ := do[map[string]any](t, method, ts.httpURL+path, body); code != wantCode {
			t.Errorf("%s %s: status = %d, want %d", method, path, code, wantCode)
		}
	}
	paths := []string{"/v2/health/ready", "/v2/models/sum/ready", "/v2/models/sum/infer"}

	check("/v2/health/live", http.StatusOK)
	for _, p := range paths {
		check(p, http.StatusServiceUnavailable)
	}
	clock.Advance(30 * time.Second)
	for _, p := range paths {
		check(p, http.StatusOK)
	}
}

func TestReadyAt(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	tests := []struct {
		name      string
		coldStart time.Duration
		at        time.Duration
		want      bool
	}{
		{"no cold start", 0, 0, true},
		{"during cold start", time.Minute, time.Minute - time.Nanosecond, false},
		{"when cold start ends", time.Minute, time.Minute, true},
		{"after cold start", time.Minute, time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Options{ColdStart: tt.coldStart, Clock: clock})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := s.ReadyAt(start.Add(tt.at)); got != tt.want {
				t.Errorf("ReadyAt(start+%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestHTTPStatsCountBatches(t *testing.T) {
	ts := startServer(t, Options{Clock: newFakeClock()})
	for _, body := range []string{
		`{"inputs":[{"name":"x","datatype":"FP32","shape":[3,1],"data":[1,2,3]}]}`,
		`{"inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[1,2]}]}`,
		`{"inputs":[{"name":"y","datatype":"FP32","shape":[9,1],"data":[1,2,3,4,5,6,7,8,9]}]}`, // rejected
	} {
		do[map[string]any](t, http.MethodPost, ts.httpURL+"/v2/models/sum/infer", body)
	}
	_, got := do[Stats](t, http.MethodGet, ts.httpURL+"/v2/models/sum/stats", "")
	if diff := cmp.Diff(Stats{Model: "sum", Batches: 2, Items: 5}, got); diff != "" {
		t.Errorf("sum stats (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Batches: 2, Items: 5}, ts.Stats()); diff != "" {
		t.Errorf("worker stats (-want +got):\n%s", diff)
	}
}
