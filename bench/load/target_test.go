package load

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seen is what a test server saw of one request.
type seen struct {
	Method, ContentType, Tenant, Body string
}

func TestHTTPTargetSends(t *testing.T) {
	tests := []struct {
		name   string
		target HTTPTarget
		want   seen
	}{
		{
			name:   "defaults",
			target: HTTPTarget{Body: []byte(`{"inputs":[]}`)},
			want:   seen{Method: http.MethodPost, ContentType: "application/json", Body: `{"inputs":[]}`},
		},
		{
			name: "method and headers",
			target: HTTPTarget{
				Method: http.MethodPut,
				Header: http.Header{"Content-Type": {"text/plain"}, "X-Tenant": {"acme"}},
				Body:   []byte("hi"),
			},
			want: seen{Method: http.MethodPut, ContentType: "text/plain", Tenant: "acme", Body: "hi"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan seen, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- seen{r.Method, r.Header.Get("Content-Type"), r.Header.Get("X-Tenant"), string(body)}
				_, _ = w.Write([]byte("ok"))
			}))
			defer srv.Close()
			tt.target.URL = srv.URL
			if err := tt.target.Do(context.Background()); err != nil {
				t.Fatalf("Do() = %v", err)
			}
			if diff := cmp.Diff(tt.want, <-got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPTargetErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "busy", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	tests := []struct {
		name       string
		url        string
		wantStatus int // 0: no status
	}{
		{name: "status outside 2xx", url: srv.URL, wantStatus: http.StatusTooManyRequests},
		{name: "bad URL", url: "::nope"},
		{name: "nothing listens", url: closedURL(t)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&HTTPTarget{URL: tt.url}).Do(context.Background())
			if err == nil {
				t.Fatal("Do() = nil, want an error")
			}
			var se *StatusError
			if got := errors.As(err, &se); got != (tt.wantStatus != 0) || (got && se.Code != tt.wantStatus) {
				t.Errorf("Do() = %v, want status %d", err, tt.wantStatus)
			}
		})
	}
}

func TestHTTPTargetKeepsTheStartOfAFailedBody(t *testing.T) {
	long := make([]byte, 2*MaxErrorBody)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name string
		body []byte
		want []byte
	}{
		{name: "short", body: []byte(`{"error":"gateway: shedding load"}`), want: []byte(`{"error":"gateway: shedding load"}`)},
		{name: "cut at the limit", body: long, want: long[:MaxErrorBody]},
		{name: "empty", body: nil, want: []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write(tt.body)
			}))
			defer srv.Close()
			err := (&HTTPTarget{URL: srv.URL}).Do(context.Background())
			se, ok := errors.AsType[*StatusError](err)
			if !ok {
				t.Fatalf("Do() = %v, want a *StatusError", err)
			}
			if diff := cmp.Diff(&StatusError{Code: http.StatusServiceUnavailable, Body: tt.want}, se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewHTTPClientCapsConnections(t *testing.T) {
	const limit, requests = 2, 6
	var mu sync.Mutex
	inside, most := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		inside--
		mu.Unlock()
	}))
	defer srv.Close()
	target := &HTTPTarget{Client: NewHTTPClient(limit), URL: srv.URL}
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			if err := target.Do(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most != limit {
		t.Errorf("at most %d requests at once at the server, want %d", most, limit)
	}
}
