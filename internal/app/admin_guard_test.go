package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/status"
)

// TestAdminGuard checks which admin requests the guard refuses, and
// why, by Host, Origin, Sec-Fetch-Site, method and Content-Type.
func TestAdminGuard(t *testing.T) {
	loopback := newAdminGuard(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}, nil)
	everywhere := newAdminGuard(&net.TCPAddr{IP: net.IPv4zero, Port: 9090}, []string{"sluice-admin.internal", "ops.example:443"})
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name    string
		guard   adminGuard
		method  string
		host    string
		headers map[string]string
		want    string // in the refusal; "" to pass
	}{
		{"curl on loopback", loopback, http.MethodGet, "127.0.0.1:9090", nil, ""},
		{"localhost", loopback, http.MethodGet, "localhost:9090", nil, ""},
		{"another loopback address", loopback, http.MethodGet, "[::1]:9090", nil, ""},
		{"a JSON POST", loopback, http.MethodPost, "127.0.0.1:9090", json, ""},
		{"a JSON POST with a charset", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Content-Type": "application/json; charset=utf-8"}, ""},
		{"its own origin", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Content-Type": "application/json", "Origin": "http://127.0.0.1:9090"}, ""},
		{"DNS rebinding", loopback, http.MethodGet, "evil.example:9090", nil, `Host "evil.example:9090" is not`},
		{"another port", loopback, http.MethodGet, "127.0.0.1:8080", nil, "is not this listener's address"},
		{"another site's page", loopback, http.MethodGet, "127.0.0.1:9090", map[string]string{"Origin": "http://evil.example"}, `Origin "http://evil.example"`},
		{"an opaque origin", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Origin": "null", "Content-Type": "application/json"}, `Origin "null"`},
		{"a form post", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Content-Type": "text/plain"}, "must send Content-Type: application/json"},
		{"curl -d", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "must send Content-Type"},
		{"no content type", loopback, http.MethodPost, "127.0.0.1:9090", nil, "must send Content-Type"},
		{"curl -XDELETE: browsers ask first", loopback, http.MethodDelete, "127.0.0.1:9090", nil, ""},
		{"cross-site fetch", loopback, http.MethodPost, "127.0.0.1:9090", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, "from another site"},
		{"any IP when bound everywhere", everywhere, http.MethodGet, "10.1.2.3:9090", nil, ""},
		{"an allowed name, any port", everywhere, http.MethodGet, "sluice-admin.internal:9090", nil, ""},
		{"an allowed name, its port", everywhere, http.MethodGet, "ops.example:443", nil, ""},
		{"an allowed name, another port", everywhere, http.MethodGet, "ops.example:9090", nil, "is not this listener's address"},
		{"a name not allowed", everywhere, http.MethodGet, "evil.example:9090", nil, "add it to admin.allowed_hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/admin/admission", strings.NewReader("{}"))
			r.Host = tt.host
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			why := tt.guard.refusal(r)
			if tt.want == "" && why != "" || tt.want != "" && !strings.Contains(why, tt.want) {
				t.Errorf("refusal = %q, want %q", why, tt.want)
			}
		})
	}
}

// TestAdminRefusesWebPages sends the admin listener of a running Sluice
// what a web page could make a browser send — another origin, another
// Host (DNS rebinding), a state change that is not JSON — and checks that
// each gets 403 with a JSON error and changes nothing, while curl's
// requests and `sluice status` still work.
func TestAdminRefusesWebPages(t *testing.T) {
	s := startScaledServe(t, metricsConfig)
	admin := "http://" + s.admin
	refused := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
	}{
		{"shed from another origin", http.MethodPost, "/admin/admission",
			map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}},
		{"reload from another origin", http.MethodPost, "/admin/reload",
			map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"}},
		{"shed as a form", http.MethodPost, "/admin/admission", map[string]string{"Content-Type": "text/plain"}},
		{"shed with another Host", http.MethodPost, "/admin/admission",
			map[string]string{"Host": "evil.example:" + port(s.admin), "Content-Type": "application/json"}},
		{"read with another Host", http.MethodGet, "/admin/tenants", map[string]string{"Host": "evil.example:" + port(s.admin)}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			code, body := adminCall(t, tt.method, admin+tt.path, `{"shed":"normal"}`, tt.headers)
			var e struct{ Error string }
			if code != http.StatusForbidden || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "refused") {
				t.Errorf("%d %s, want 403 and a JSON error", code, body)
			}
		})
	}
	if code, body := adminCall(t, http.MethodGet, admin+"/admin/admission", "", nil); code != http.StatusOK || !strings.Contains(body, `"shed":"none"`) {
		t.Errorf("admission after the refusals: %d %s, want shed none", code, body)
	}
	asJSON := map[string]string{"Content-Type": "application/json"}
	if code, body := adminCall(t, http.MethodPost, admin+"/admin/admission", `{"shed":"low"}`, asJSON); code != http.StatusOK {
		t.Errorf("curl's JSON POST: %d %s, want 200", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := status.Fetch(ctx, http.DefaultClient, admin, ""); err != nil {
		t.Errorf("sluice status: %v", err)
	}
}

// adminCall sends one request with headers ("Host" sets the Host) and
// returns the status and body.
func adminCall(t *testing.T, method, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// port returns the port of a host:port address.
func port(addr string) string {
	return addr[strings.LastIndexByte(addr, ':')+1:]
}
