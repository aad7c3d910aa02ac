package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sluice-gateway/sluice/bench/worker"
	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
	"github.com/sluice-gateway/sluice/router"
)

// faultFleet is Sluice started through Start in this process, its
// workers emulated in this process too (worker.InProcess), some of them
// faulty, with HTTP and gRPC on loopback.
type faultFleet struct {
	url    string
	grpc   inferencepb.GRPCInferenceServiceClient
	router *router.Router
	// logs is what Sluice logs, at info level and up.
	logs *apptest.Log

	mu sync.Mutex
	// workers holds each worker by its ID ("cpu-1", "cpu-2", ...).
	workers map[string]*worker.Server
}

// startFaultFleet parses yaml, starts it with each pool's
// replicas.initial workers emulating the pool's curve, each with the
// fault options faults names by its ID ("cpu-2", the second worker of
// pool cpu), waits until the router has every worker ready, and serves
// until the test ends. The workers of a pool turn ready one after
// another in the order of their IDs, a readyStagger apart, so that the
// router attaches them in that order whatever the machine's load: which
// worker the idle queue hands the first batches to, and so how soon a
// faulty one shows, depends on it.
func startFaultFleet(t *testing.T, yaml string, faults map[string]worker.Options) *faultFleet {
	t.Helper()
	cfg, err := configs.Parse("faults.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = configs.Listen{HTTP: "127.0.0.1:0", GRPC: "127.0.0.1:0"}
	cfg.Shutdown.DrainDelay = testDrainDelay
	f := &faultFleet{workers: map[string]*worker.Server{}, logs: apptest.NewLog()}
	ip := worker.InProcess{
		Configure: func(o *worker.Options) {
			fault := faults[o.Name]
			o.Slowdown, o.Garbage = max(fault.Slowdown, o.Slowdown), fault.Garbage
			o.ColdStart = time.Duration(workerSeq(o.Name)-1) * readyStagger
		},
		Started: func(s *worker.Server, _ worker.Announcement) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.workers[s.ServerMetadata().Name] = s
		},
	}
	a, err := Start(context.Background(), cfg, Options{Logger: f.logs.Logger(slog.LevelInfo), Workers: ip.Start})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("stopping the fleet: %v", err)
		}
	})
	f.router, f.url = a.router, "http://"+a.Addrs().HTTP
	for _, p := range cfg.Pools {
		f.logs.Next(t, 0, "pool workers changed", "pool", p.Name, "ready", p.Replicas.Initial)
	}
	f.grpc = dialFaultGRPC(t, a.Addrs().GRPC)
	return f
}

// readyStagger is the time between two workers of a pool turning ready:
// more than the supervisor's probe interval, which finds them ready.
const readyStagger = 250 * time.Millisecond

// workerSeq returns n of the worker ID "pool-n"; 1 for an ID without one.
func workerSeq(id string) int {
	i := strings.LastIndexByte(id, '-')
	n, err := strconv.Atoi(id[i+1:])
	if i < 0 || err != nil || n < 1 {
		return 1
	}
	return n
}

// worker returns the worker of id.
func (f *faultFleet) worker(t *testing.T, id string) *worker.Server {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.workers[id]
	if !ok {
		t.Fatalf("no worker %s", id)
	}
	return w
}

// dialFaultGRPC returns a client of the gateway's gRPC API at addr.
func dialFaultGRPC(t *testing.T, addr string) inferencepb.GRPCInferenceServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return inferencepb.NewGRPCInferenceServiceClient(conn)
}

// answer is one HTTP answer of the gateway; status -1 means none came,
// with the transport's error as body.
type answer struct {
	status int
	body   []byte
}

// post sends body to model's infer endpoint; safe on any goroutine.
func (f *faultFleet) post(ctx context.Context, model string, body []byte) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/v2/models/"+model+"/infer", bytes.NewReader(body))
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	return answer{status: resp.StatusCode, body: b}
}

// jsonError returns the message of an {"error": "..."} body, or why the
// body is not one.
func jsonError(body []byte) (string, error) {
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return "", fmt.Errorf("body %q is not JSON: %w", body, err)
	}
	if e.Error == nil || *e.Error == "" {
		return "", fmt.Errorf("body %q has no error message", body)
	}
	return *e.Error, nil
}
