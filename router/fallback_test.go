package router_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// TestFallbackWhenTheTierIsDown takes every pool of a tier down and
// checks what answers: the cache for a model that opts in, the fallback
// model for one that has it, and for the others a 503 (ErrNoCapacity)
// naming the reason.
func TestFallbackWhenTheTierIsDown(t *testing.T) {
	cached := router.ModelCache{Mode: router.CacheFallback, TTL: time.Minute}
	tests := []struct {
		name  string
		model router.Model
		// warm serves the request once before the tier goes down.
		warm    bool
		want    router.Result
		wantErr string
	}{
		{"cached answer", withCache(sumModel("main", time.Second), cached), true,
			router.Result{Model: "sum", CacheHit: true}, ""},
		{"cache miss, no fallback", withCache(sumModel("main", time.Second), cached), false,
			router.Result{}, `pool "a": no ready worker`},
		{"fallback model", withFallback(sumModel("main", time.Second), "echo"), false,
			router.Result{Model: "echo", Pool: "b", FallbackFrom: "sum"}, ""},
		{"neither", sumModel("main", time.Second), true,
			router.Result{}, `router: no pool can take the request for model "sum": pool "a": no ready worker`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := router.Model{Name: "echo", Tier: "spare", SLO: time.Second, Timeout: 5 * time.Second}
			curve := costmodel.Curve{Base: ms}
			f := startFleet(t, router.Config{
				Models:     []router.Model{tt.model, echo},
				Tiers:      map[string][]string{"main": {"a"}, "spare": {"b"}},
				CacheBytes: 1 << 20,
			}, pool{name: "a", curve: curve, maxBatch: 8, workers: 1}, pool{name: "b", curve: curve, maxBatch: 8, workers: 1})
			req := func(id string) *router.Request {
				return &router.Request{Model: "sum", Req: sumRequest(id, 2, 3)}
			}
			if tt.warm {
				if _, err := f.router.Serve(context.Background(), req("warm")); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.router.SetEndpoints("a", nil); err != nil {
				t.Fatal(err)
			}
			res, err := f.router.Serve(context.Background(), req("down"))
			if tt.wantErr != "" {
				if !errors.Is(err, router.ErrNoCapacity) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want ErrNoCapacity containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *res, cmpopts.IgnoreFields(router.Result{}, "Response")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if res.Response.ID != "down" || res.Response.ModelName != tt.want.Model {
				t.Errorf("response id %q, model %q; want %q, %q", res.Response.ID, res.Response.ModelName, "down", tt.want.Model)
			}
			if res.CacheHit {
				checkSums(t, res, 2, 3)
			}
		})
	}
}

// TestCacheAlways answers a repeated request from the cache while the
// pool is up, and a different one from the pool.
func TestCacheAlways(t *testing.T) {
	m := withCache(sumModel("t", time.Second), router.ModelCache{Mode: router.CacheAlways, TTL: time.Minute})
	f := startFleet(t, router.Config{
		Models:     []router.Model{m},
		Tiers:      map[string][]string{"t": {"p"}},
		CacheBytes: 1 << 20,
	}, pool{name: "p", curve: costmodel.Curve{Base: ms}, maxBatch: 8, workers: 1})
	w := f.workers["p"][0]
	var hits []bool
	for _, rows := range []int{2, 2, 3, 2} {
		res, err := f.router.Serve(context.Background(), &router.Request{Model: "sum", Req: sumRequest("", rows, 3)})
		if err != nil {
			t.Fatal(err)
		}
		checkSums(t, res, rows, 3)
		hits = append(hits, res.CacheHit)
	}
	if diff := cmp.Diff([]bool{false, true, false, true}, hits); diff != "" {
		t.Errorf("cache hits (-want +got):\n%s", diff)
	}
	if got := w.batches(); got != 2 {
		t.Errorf("worker ran %d batches, want 2", got)
	}
}

func withCache(m router.Model, c router.ModelCache) router.Model {
	m.Cache = c
	return m
}

func withFallback(m router.Model, fallback string) router.Model {
	m.Fallback = fallback
	return m
}

// TestServeErrors covers requests Serve refuses before routing.
func TestServeErrors(t *testing.T) {
	f := startFleet(t, router.Config{
		Models: []router.Model{sumModel("t", time.Second)},
		Tiers:  map[string][]string{"t": {"p"}},
	}, pool{name: "p", curve: costmodel.Curve{Base: ms}, maxBatch: 2, workers: 1})
	tests := []struct {
		name string
		req  *router.Request
		want error
	}{
		{"unknown model", &router.Request{Model: "nope", Req: sumRequest("", 1, 1)}, router.ErrUnknownModel},
		{"no request", &router.Request{Model: "sum"}, oip.ErrInvalid},
		{"a scalar input has no rows to batch", &router.Request{Model: "sum", Req: &oip.InferenceRequest{
			Inputs: []oip.Tensor{oip.NewFP32("x", nil, []float32{1})}}}, oip.ErrInvalid},
		{"more rows than any worker takes", &router.Request{Model: "sum", Req: sumRequest("", 3, 1)}, router.ErrNoCapacity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.router.Serve(context.Background(), tt.req); !errors.Is(err, tt.want) {
				t.Errorf("Serve error = %v, want %v", err, tt.want)
			}
		})
	}
}
