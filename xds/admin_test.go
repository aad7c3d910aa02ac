package xds

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
)

func TestHandler(t *testing.T) {
	s := newTestServer(t, Options{})
	get := func(method, target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		return rec
	}
	if rec := get(http.MethodGet, "/admin/xds"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("before publishing: status %d, want 503", rec.Code)
	}
	if err := s.Publish(richView()); err != nil {
		t.Fatal(err)
	}
	if err := s.callbacks().OnStreamRequest(7, &discovery.DiscoveryRequest{Node: envoyNode("e1", "edge")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, target string
		wantCode             int
		wantBody             string
	}{
		{"every flavor", http.MethodGet, "/admin/xds", http.StatusOK, `"grpc": {`},
		{"one node", http.MethodGet, "/admin/xds?node=e1", http.StatusOK, `"group": "envoy/edge"`},
		{"unknown node", http.MethodGet, "/admin/xds?node=nobody", http.StatusNotFound, `xds: unknown node: \"nobody\"`},
		{"not a GET", http.MethodPost, "/admin/xds", http.StatusMethodNotAllowed, `"error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(tt.method, tt.target)
			if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("status %d, body %.200s; want %d containing %s", rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Errorf("body is not JSON: %.200s", rec.Body.String())
			}
		})
	}
}
