package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
)

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestAdminAPI drives admission through the admin API and reads the
// tenants' counts back.
func TestAdminAPI(t *testing.T) {
	f := startAuthFleet(t, nil, func(c *fleetConfig) { c.gateway.Logger = newTestLogger(io.Discard) })
	r := chi.NewRouter()
	f.gw.RegisterAdmin(r)
	admin := httptest.NewServer(r)
	t.Cleanup(admin.Close)

	steps := []struct {
		name   string
		body   string // POSTed; empty for a GET
		status int
		want   gateway.AdmissionState // the state after the step
		errMsg string                 // in the error of a 400
	}{
		{"initial", "", http.StatusOK, state(batcher.ShedNone, false), ""},
		{"shed and fall back", `{"shed":"low","fallback":{"sum":true}}`, http.StatusOK, state(batcher.ShedLow, true), ""},
		{"unknown level", `{"shed":"most"}`, http.StatusBadRequest, state(batcher.ShedLow, true), `"most"`},
		{"model without fallback", `{"shed":"none","fallback":{"echo":true}}`, http.StatusBadRequest, state(batcher.ShedLow, true), `"echo"`},
		{"unknown field", `{"level":"none"}`, http.StatusBadRequest, state(batcher.ShedLow, true), "level"},
		{"not JSON", `shed=none`, http.StatusBadRequest, state(batcher.ShedLow, true), "admission update"},
		{"shed only", `{"shed":"normal"}`, http.StatusOK, state(batcher.ShedNormal, true), ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.body != "" {
				status, body := adminCall(t, http.MethodPost, admin.URL+"/admin/admission", s.body)
				if status != s.status {
					t.Fatalf("POST status %d, want %d: %s", status, s.status, body)
				}
				if s.status != http.StatusOK {
					checkErrorBody(t, body, s.errMsg)
				}
			}
			_, body := adminCall(t, http.MethodGet, admin.URL+"/admin/admission", "")
			var got gateway.AdmissionState
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET /admin/admission: %s: %v", body, err)
			}
			if diff := cmp.Diff(s.want, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}

	// The settings take effect: normal calls are shed, sum falls back.
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusServiceUnavailable {
		t.Errorf("normal call at shed level normal: status %d", r.status)
	}
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyHigh); r.header.Get(gateway.HeaderFallbackFrom) != "sum" {
		t.Errorf("sum with its fallback on: status %d, %s %q", r.status, gateway.HeaderFallbackFrom, r.header.Get(gateway.HeaderFallbackFrom))
	}
	_, body := adminCall(t, http.MethodGet, admin.URL+"/admin/tenants", "")
	var counts map[string]gateway.TenantCount
	if err := json.Unmarshal(body, &counts); err != nil {
		t.Fatalf("GET /admin/tenants: %s: %v", body, err)
	}
	want := map[string]gateway.TenantCount{
		"hi":  {Requests: 1, Answered: 1, Inferences: 2, Fallbacks: 1},
		"mid": {Requests: 1, Failed: map[string]int64{gateway.ReasonShed: 1}},
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("GET /admin/tenants (-want +got):\n%s", diff)
	}
}

func state(l batcher.ShedLevel, sumFallback bool) gateway.AdmissionState {
	return gateway.AdmissionState{Shed: l, Fallback: map[string]bool{"sum": sumFallback, "idle": false}}
}

func adminCall(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
