package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/router"
	"github.com/sluice-gateway/sluice/scaler/kubernetes"
)

// fakeEndpoints is an endpointsReader answering, for each read, the next
// of its answers; an answer with err set fails.
type fakeEndpoints struct {
	answers []endpointsAnswer
}

type endpointsAnswer struct {
	eps []kubernetes.Endpoint
	err error
}

func (f *fakeEndpoints) Endpoints(_ context.Context, _ string) ([]kubernetes.Endpoint, error) {
	a := f.answers[0]
	if len(f.answers) > 1 {
		f.answers = f.answers[1:]
	}
	return a.eps, a.err
}

func TestFeedPool(t *testing.T) {
	pod := func(id string) kubernetes.Endpoint {
		return kubernetes.Endpoint{ID: id, Pool: "gpu", HTTP: "127.0.0.1:1", GRPC: "127.0.0.1:2"}
	}
	tests := []struct {
		name    string
		answers []endpointsAnswer
		want    []string // the router's workers after the reads
		changes int      // "pool workers changed" lines
	}{
		{"pods become workers", []endpointsAnswer{{eps: []kubernetes.Endpoint{pod("a"), pod("b")}}}, []string{"a", "b"}, 1},
		{"the same pods again change nothing", []endpointsAnswer{{eps: []kubernetes.Endpoint{pod("a")}}, {eps: []kubernetes.Endpoint{pod("a")}}}, []string{"a"}, 1},
		{"a pod leaves", []endpointsAnswer{{eps: []kubernetes.Endpoint{pod("a"), pod("b")}}, {eps: []kubernetes.Endpoint{pod("b")}}}, []string{"b"}, 2},
		{"no pods at first", []endpointsAnswer{{}}, nil, 1},
		{"a failed read keeps the workers", []endpointsAnswer{{eps: []kubernetes.Endpoint{pod("a")}}, {err: errors.New("api down")}}, []string{"a"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := router.New(router.Config{Pools: []router.PoolConfig{{Name: "gpu"}}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(rt.Close)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			src := &fakeEndpoints{answers: tt.answers}
			var was []router.Endpoint
			for range tt.answers {
				was = feedPool(context.Background(), src, "gpu", router.ProtocolGRPC, was, rt, log)
			}
			var got []string
			for _, ep := range rt.Pool("gpu").Endpoints() {
				got = append(got, ep.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("workers (-want +got):\n%s", diff)
			}
			if n := strings.Count(logs.String(), "pool workers changed"); n != tt.changes {
				t.Errorf("%d changes logged, want %d:\n%s", n, tt.changes, logs.String())
			}
		})
	}
}

// TestFeedEndpointsStops reads every pool at once and stops with its
// context.
func TestFeedEndpointsStops(t *testing.T) {
	rt, err := router.New(router.Config{Pools: []router.PoolConfig{{Name: "cpu"}, {Name: "gpu"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	src := &fakeEndpoints{answers: []endpointsAnswer{{eps: []kubernetes.Endpoint{{ID: "w", GRPC: "127.0.0.1:1"}}}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	feedEndpoints(ctx, src, []string{"cpu", "gpu"}, func(string) router.Protocol { return router.ProtocolGRPC }, rt, make(chan time.Time), slog.New(slog.DiscardHandler))
	for _, pool := range []string{"cpu", "gpu"} {
		if n := len(rt.Pool(pool).Endpoints()); n != 1 {
			t.Errorf("pool %s has %d workers, want 1", pool, n)
		}
	}
}

func TestKubePoolsNeedANamespace(t *testing.T) {
	t.Setenv(envPodNamespace, "")
	if _, _, err := startKubePools(context.Background(), deploymentPools(scalingConfig(false)), nil, nil, slog.New(slog.DiscardHandler)); !errors.Is(err, errNoNamespace) {
		t.Errorf("error %v, want errNoNamespace", err)
	}
}
