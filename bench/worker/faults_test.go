package worker

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

func TestSlowdownScalesTheDeviceLatency(t *testing.T) {
	tests := []struct {
		name     string
		slowdown float64
		rows     int
		want     time.Duration
	}{
		{"zero means none", 0, 2, 12 * time.Millisecond},
		{"one means none", 1, 2, 12 * time.Millisecond},
		{"ten times slower", 10, 2, 120 * time.Millisecond},
		{"faster", 0.5, 4, 7 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newGatedClock()
			ts := startServer(t, Options{Base: 10 * time.Millisecond, PerItem: time.Millisecond, Slowdown: tt.slowdown, Clock: clock})
			go func() {
				_, _, _ = fetch[jsonResponse](http.MethodPost, ts.httpURL+"/v2/models/sum/infer", sumRows(tt.rows))
			}()
			got := clock.nextSleep(t)
			clock.gate <- struct{}{}
			if got != tt.want {
				t.Errorf("batch of %d rows held the device %v, want %v", tt.rows, got, tt.want)
			}
		})
	}
}

func TestSlowdownMustBeFiniteAndNotNegative(t *testing.T) {
	for _, f := range []float64{-1, math.Inf(1), math.NaN()} {
		_, err := New(Options{Slowdown: f})
		if !errors.Is(err, ErrOptions) {
			t.Errorf("New(Slowdown: %v) = %v, want ErrOptions", f, err)
		}
	}
}

// sumRows is a JSON sum request of rows rows of one element each.
func sumRows(rows int) string {
	data := strings.TrimSuffix(strings.Repeat("1,", rows), ",")
	return `{"inputs":[{"name":"x","datatype":"FP32","shape":[` + strconv.Itoa(rows) + `,1],"data":[` + data + `]}]}`
}

func TestGarbageOverHTTP(t *testing.T) {
	ts := startServer(t, Options{Garbage: true, Clock: newFakeClock()})
	var kinds []string
	for range 4 {
		resp, err := http.Post(ts.httpURL+"/v2/models/sum/infer", "application/json", strings.NewReader(sumRows(2)))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200 with garbage: %s", resp.StatusCode, body)
		}
		if out, err := oip.DecodeResponse(body); err == nil {
			if err := out.Validate(); err == nil {
				t.Errorf("garbage %q decodes into a valid response", body)
			}
		}
		kinds = append(kinds, resp.Header.Get("X-Sluice-Garbage"))
	}
	if diff := cmp.Diff([]string{"shape", "truncated", "malformed", "shape"}, kinds); diff != "" {
		t.Errorf("garbage kinds in turn (-want +got):\n%s", diff)
	}
	code, ready := do[map[string]bool](t, http.MethodGet, ts.httpURL+"/v2/health/ready", "")
	if code != http.StatusOK || !ready["ready"] {
		t.Errorf("ready answers %d %v, want a correct 200", code, ready)
	}
	code, bad := do[jsonResponse](t, http.MethodPost, ts.httpURL+"/v2/models/sum/infer", `{"inputs":[`)
	if code != http.StatusBadRequest || bad.Error == "" {
		t.Errorf("a bad request answers %d %+v, want a correct 400", code, bad)
	}
}

func TestGarbageOverGRPC(t *testing.T) {
	ts := startServer(t, Options{Garbage: true, Clock: newFakeClock()})
	x := input("x", "FP32", 2, 1)
	x.Contents = &inferencepb.InferTensorContents{Fp32Contents: []float32{1, 2}}
	req := &inferencepb.ModelInferRequest{ModelName: "sum", Inputs: []*inferencepb.ModelInferRequest_InferInputTensor{x}}
	for i := range int(garbageKinds) {
		resp, err := ts.grpc.ModelInfer(context.Background(), req)
		if err != nil {
			t.Fatalf("answer %d: %v, want garbage", i, err)
		}
		if out, err := oip.ResponseFromProto(resp); err == nil {
			if err := out.Validate(); err == nil {
				t.Errorf("answer %d (%v) is a valid response: %v", i, Garbage(i), resp)
			}
		}
	}
	if _, err := ts.grpc.ModelInfer(context.Background(), &inferencepb.ModelInferRequest{ModelName: "nope"}); err == nil {
		t.Error("an unknown model answers garbage, want a correct error")
	}
}

func TestMisshapenLeavesTheResponseAlone(t *testing.T) {
	tests := []struct {
		name string
		resp *oip.InferenceResponse
		want []int64
	}{
		{"vector", &oip.InferenceResponse{Outputs: []oip.Tensor{oip.NewFP32("sum", []int64{2}, []float32{1, 2})}}, []int64{3}},
		{"scalar", &oip.InferenceResponse{Outputs: []oip.Tensor{oip.NewFP32("s", []int64{}, []float32{1})}}, []int64{2}},
		{"no outputs", &oip.InferenceResponse{}, []int64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []int64
			if len(tt.resp.Outputs) > 0 {
				before = slices.Clone(tt.resp.Outputs[0].Shape)
			}
			got := misshapen(tt.resp)
			if diff := cmp.Diff(tt.want, got.Outputs[0].Shape); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
			if err := got.Validate(); err == nil {
				t.Error("misshapen response validates")
			}
			if len(tt.resp.Outputs) > 0 {
				if diff := cmp.Diff(before, tt.resp.Outputs[0].Shape); diff != "" {
					t.Errorf("original shape changed (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestGarbageString(t *testing.T) {
	got := []string{GarbageShape.String(), GarbageTruncated.String(), GarbageMalformed.String(), Garbage(7).String()}
	if diff := cmp.Diff([]string{"shape", "truncated", "malformed", "Garbage(7)"}, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}
