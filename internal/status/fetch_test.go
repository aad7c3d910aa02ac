package status

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFetch(t *testing.T) {
	tb := newTestBoard(t, twoPools(false))
	for _, admin := range []string{tb.url, tb.url + "/", strings.TrimPrefix(tb.url, "http://")} {
		v, err := Fetch(context.Background(), http.DefaultClient, admin, "")
		if err != nil {
			t.Fatalf("Fetch(%q): %v", admin, err)
		}
		if len(v.Pools) != 2 || v.Pools[0].Name != "cpu" || v.Planned {
			t.Errorf("Fetch(%q) = %d pools, planned %v; want cpu and gpu, no plan", admin, len(v.Pools), v.Planned)
		}
	}
}

func TestFetchSendsTheToken(t *testing.T) {
	tb := newTestBoard(t, twoPools(false))
	guarded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, `{"error": "send the admin token"}`, http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, tb.url+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer guarded.Close()
	if _, err := Fetch(context.Background(), http.DefaultClient, guarded.URL, "s3cret"); err != nil {
		t.Errorf("with the token: %v", err)
	}
	if _, err := Fetch(context.Background(), http.DefaultClient, guarded.URL, ""); !errors.Is(err, ErrRefused) {
		t.Errorf("without the token: %v, want ErrRefused", err)
	}
}

// TestFetchErrors checks that each way of failing says what failed and
// where.
func TestFetchErrors(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error": "admin: bearer token required"}`, http.StatusUnauthorized)
	}))
	defer refusing.Close()
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>not json</html>"))
	}))
	defer garbled.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name     string
		admin    string
		want     error
		contains []string
	}{
		{name: "unreachable", admin: closedURL, want: ErrUnreachable,
			contains: []string{"sluice status: admin listener unreachable at " + closedURL, "connection refused"}},
		{name: "host and port only", admin: strings.TrimPrefix(closedURL, "http://"), want: ErrUnreachable,
			contains: []string{"unreachable at " + closedURL}},
		{name: "refused", admin: refusing.URL, want: ErrRefused,
			contains: []string{"sluice status: admin listener refused: GET " + refusing.URL + "/admin/status: 401 Unauthorized", "bearer token"}},
		{name: "not a status", admin: garbled.URL, want: ErrRefused, contains: []string{"not a status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(context.Background(), http.DefaultClient, tt.admin, "")
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			for _, want := range tt.contains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
		})
	}
}
