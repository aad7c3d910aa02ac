package app

import (
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRequireAdminToken calls a guarded admin API on a real listener with
// every kind of credentials.
func TestRequireAdminToken(t *testing.T) {
	const token = "s3cret-operator-token"
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := httptest.NewServer(requireAdminToken(ok, sha256.Sum256([]byte(token))))
	t.Cleanup(srv.Close)
	tests := []struct {
		name          string
		path          string
		authorization []string
		want          int
	}{
		{"no token", "/admin/plan", nil, http.StatusUnauthorized},
		{"right token", "/admin/plan", []string{"Bearer " + token}, http.StatusOK},
		{"scheme in lower case", "/admin/plan", []string{"bearer " + token}, http.StatusOK},
		{"wrong token", "/admin/plan", []string{"Bearer not-" + token}, http.StatusUnauthorized},
		{"token's prefix", "/admin/plan", []string{"Bearer " + token[:5]}, http.StatusUnauthorized},
		{"basic scheme", "/admin/plan", []string{"Basic " + token}, http.StatusUnauthorized},
		{"no scheme", "/admin/plan", []string{token}, http.StatusUnauthorized},
		{"two headers", "/admin/plan", []string{"Bearer " + token, "Bearer " + token}, http.StatusUnauthorized},
		{"health needs no token", "/healthz", nil, http.StatusOK},
		{"other paths do", "/metrics", nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.authorization {
				req.Header.Add("Authorization", v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d (body %s)", resp.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusUnauthorized {
				checkUnauthorized(t, resp, body, token)
			}
		})
	}
}

// checkUnauthorized checks a 401: a Bearer challenge and a one-line JSON
// error that does not repeat the token.
func checkUnauthorized(t *testing.T, resp *http.Response, body []byte, token string) {
	t.Helper()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
		t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
	}
	var e struct{ Error string }
	if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, "Authorization: Bearer") {
		t.Errorf("body %s is not a JSON error saying how to authenticate: %v", body, err)
	}
	if strings.Contains(string(body), token[:5]) {
		t.Errorf("body %s repeats the token", body)
	}
}
