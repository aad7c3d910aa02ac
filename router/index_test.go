package router_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// indexed lists, as a repository index does (one entry per version), the
// model the tests configure and two that no config names, unsorted.
var indexed = []string{"zeta", "extra", "mixed", "mixed", "zeta"}

// calls records, in order, the repository index and model metadata
// requests a worker answered.
type calls struct {
	mu  sync.Mutex
	seq []string
}

func (c *calls) add(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = append(c.seq, call)
}

// surveyed reports whether a metadata request came after an answered
// index request: the pool surveys a worker's index before it describes
// the worker's models, so the survey is then done.
func (c *calls) surveyed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.seq, "index")
	return i >= 0 && slices.Contains(c.seq[i:], "metadata")
}

// httpIndexWorker serves a tensorWorker until the test ends; with index,
// its POST /v2/repository/index lists indexed, else it answers 404.
func httpIndexWorker(t *testing.T, c *calls, index bool) router.Endpoint {
	t.Helper()
	w := &tensorWorker{}
	mux := http.NewServeMux()
	mux.Handle("/", w)
	mux.HandleFunc("GET /v2/models/mixed", func(rw http.ResponseWriter, r *http.Request) {
		w.ServeHTTP(rw, r)
		c.add("metadata")
	})
	mux.HandleFunc("POST /v2/repository/index", func(rw http.ResponseWriter, r *http.Request) {
		defer c.add("index")
		if !index {
			w.ServeHTTP(rw, r) // 404
			return
		}
		var body struct{ Ready bool }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !body.Ready {
			http.Error(rw, `{"error":"want {\"ready\":true}"}`, http.StatusBadRequest)
			return
		}
		entries := make([]map[string]string, len(indexed))
		for i, name := range indexed {
			entries[i] = map[string]string{"name": name, "state": "READY"}
		}
		_ = json.NewEncoder(rw).Encode(entries)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return router.Endpoint{ID: "p-0", HTTP: strings.TrimPrefix(srv.URL, "http://"), Protocol: router.ProtocolHTTP}
}

// indexServer is a gRPC worker that is ready and describes any model;
// with index, its repository index lists indexed, else it answers
// Unimplemented.
type indexServer struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	calls *calls
	index bool
}

func (indexServer) ServerReady(context.Context, *inferencepb.ServerReadyRequest) (*inferencepb.ServerReadyResponse, error) {
	return &inferencepb.ServerReadyResponse{Ready: true}, nil
}

func (s indexServer) ModelMetadata(_ context.Context, req *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	defer s.calls.add("metadata")
	return &inferencepb.ModelMetadataResponse{Name: req.GetName(), Platform: "test"}, nil
}

func (s indexServer) RepositoryIndex(_ context.Context, req *inferencepb.RepositoryIndexRequest) (*inferencepb.RepositoryIndexResponse, error) {
	defer s.calls.add("index")
	if !s.index {
		return nil, status.Error(codes.Unimplemented, "no repository index")
	}
	if !req.GetReady() {
		return nil, status.Error(codes.InvalidArgument, "want ready models")
	}
	out := &inferencepb.RepositoryIndexResponse{}
	for _, name := range indexed {
		out.Models = append(out.Models, &inferencepb.RepositoryIndexResponse_ModelIndex{Name: name, Version: "1", State: "READY"})
	}
	return out, nil
}

// grpcIndexWorker serves an indexServer until the test ends.
func grpcIndexWorker(t *testing.T, c *calls, index bool) router.Endpoint {
	t.Helper()
	ln := listen(t, "127.0.0.1:0")
	srv := grpc.NewServer()
	inferencepb.RegisterGRPCInferenceServiceServer(srv, indexServer{calls: c, index: index})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return router.Endpoint{ID: "p-0", GRPC: ln.Addr().(*net.TCPAddr).String()}
}

// TestWorkerRepositoryIndex attaches one worker per case and checks what
// the pool records of the models the worker's repository index lists
// that no config names: those of a worker with an index over HTTP or
// gRPC, and none, without failing, for workers without one (answering
// 404 over HTTP, Unimplemented over gRPC).
func TestWorkerRepositoryIndex(t *testing.T) {
	tests := []struct {
		name   string
		worker func(t *testing.T, c *calls, index bool) router.Endpoint
		index  bool
		want   []string
	}{
		{"http index", httpIndexWorker, true, []string{"extra", "zeta"}},
		{"grpc index", grpcIndexWorker, true, []string{"extra", "zeta"}},
		{"http without", httpIndexWorker, false, nil},
		{"grpc without", grpcIndexWorker, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFleet(t, router.Config{
				Models: []router.Model{{Name: "mixed", Tier: "t", SLO: time.Second, Batching: true}},
				Tiers:  map[string][]string{"t": {"p"}},
			}, pool{name: "p", curve: costmodel.Curve{Base: ms}, maxBatch: 8})
			c := &calls{}
			if err := f.router.SetEndpoints("p", []router.Endpoint{tt.worker(t, c, tt.index)}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 5*time.Second, "survey of the index", c.surveyed)
			if got := f.router.Pool("p").Unconfigured(); !slices.Equal(got, tt.want) {
				t.Errorf("Unconfigured() = %q, want %q", got, tt.want)
			}
			if _, err := f.router.Pick("mixed"); err != nil {
				t.Errorf("Pick(mixed) after the survey: %v", err)
			}
		})
	}
}
