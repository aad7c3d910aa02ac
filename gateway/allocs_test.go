//go:build !race

package gateway_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/sluice-gateway/sluice/oip"
)

// TestInferAllocations holds the gateway's own allocations per infer call
// — the whole HTTP handler's, less those of the worker call alone, as
// BenchmarkGatewayHTTP measures them — under a bound a little above what
// the handler makes today, so that a change that adds allocations to the
// request path fails here and names the path. (The race detector's
// instrumentation allocates: the test builds without it.)
func TestInferAllocations(t *testing.T) {
	const runs = 300
	bs := startBenchFleet(t)
	req, err := oip.DecodeRequest(benchBody(t))
	if err != nil {
		t.Fatal(err)
	}
	backend := testing.AllocsPerRun(runs, func() {
		resp, err := bs.client.ModelInfer(context.Background(), oip.RequestToProto("sum", "", req))
		if err == nil {
			_, err = oip.ResponseFromProto(resp)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	binBody, binHeader := benchBinaryBody(t)
	for _, tc := range []struct {
		name  string
		body  []byte
		bound float64
		set   func(*reusableRequest)
	}{
		{"json", benchBody(t), 40, func(*reusableRequest) {}},
		{"binary", binBody, 42, func(r *reusableRequest) { r.req.Header.Set(oip.HeaderInferenceLength, binHeader) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, r, h := &discardResponse{}, newReusableRequest(tc.body), bs.gw.HTTPHandler()
			tc.set(r)
			whole := testing.AllocsPerRun(runs, func() {
				w.reset()
				h.ServeHTTP(w, r.next())
				if w.status != http.StatusOK {
					t.Fatalf("status %d: %s", w.status, w.body.String())
				}
			})
			t.Logf("handler %.0f, worker call %.0f: the gateway's own %.0f allocations per call", whole, backend, whole-backend)
			if whole-backend > tc.bound {
				t.Errorf("the gateway's own allocations per call: %.0f, want at most %.0f", whole-backend, tc.bound)
			}
		})
	}
}
