package gateway_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// panicPicker is the default picker, but for model echo, on which it
// panics: a bug on the request path of one model.
type panicPicker struct{ router.Engine }

func (p panicPicker) Pick(views []router.PoolView, f router.Facts, now time.Time) (router.Decision, error) {
	if f.Model == "echo" {
		panic("picker bug")
	}
	return p.Engine.Pick(views, f, now)
}

// TestPanicOnTheRequestPath makes the request path panic for one model:
// its calls get 500 with a JSON error (HTTP) and INTERNAL (gRPC), the
// panic is logged with its stack, and the gateway goes on serving the
// other model on both front ends.
func TestPanicOnTheRequestPath(t *testing.T) {
	logs := &syncBuffer{}
	cfg := defaultFleet()
	cfg.picker = panicPicker{router.DefaultPicker()}
	cfg.gateway = gateway.Options{Logger: newTestLogger(logs)}
	f := startFleet(t, cfg)
	ctx := context.Background()

	r := f.post(ctx, "echo", []byte(sumJSON))
	if r.status != http.StatusInternalServerError {
		t.Errorf("HTTP call that panics: %d %s, want 500", r.status, r.body)
	}
	checkErrorBody(t, r.body, "internal error")
	if _, err := f.grpc.ModelInfer(ctx, sumProto("echo")); status.Code(err) != codes.Internal {
		t.Errorf("gRPC call that panics: %v, want INTERNAL", err)
	}
	if r := f.post(ctx, "sum", []byte(sumJSON)); r.status != http.StatusOK {
		t.Errorf("HTTP call after the panics: %d %s, want 200", r.status, r.body)
	}
	if _, err := f.grpc.ModelInfer(ctx, sumProto("sum")); err != nil {
		t.Errorf("gRPC call after the panics: %v", err)
	}
	if got := strings.Count(logs.String(), "panic serving an HTTP request"); got != 1 || !strings.Contains(logs.String(), "picker bug") {
		t.Errorf("the HTTP panic is logged %d times, want once with its value:\n%s", got, logs)
	}
	if f.gw.InFlight() != 0 {
		t.Errorf("%d calls still counted in progress after the panics", f.gw.InFlight())
	}
}

// TestInvalidUTF8InJSON checks the choice for BYTES that are not text:
// in a JSON body they are refused with 400 (a JSON decoder would turn
// them into U+FFFD), and through the binary tensor data extension they
// travel intact.
func TestInvalidUTF8InJSON(t *testing.T) {
	f := startFleet(t, defaultFleet())
	ctx := context.Background()
	r := f.post(ctx, "echo", []byte("{\"inputs\":[{\"name\":\"s\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"a\xffb\"]}]}"))
	if r.status != http.StatusBadRequest {
		t.Fatalf("invalid UTF-8 in JSON: %d %s, want 400", r.status, r.body)
	}
	checkErrorBody(t, r.body, "not valid UTF-8")

	elem := "a\xffb"
	header := `{"inputs":[{"name":"s","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":7}}],"outputs":[{"name":"s","parameters":{"binary_data":true}}]}`
	body := header + "\x03\x00\x00\x00" + elem
	r = f.post(ctx, "echo", []byte(body), "Inference-Header-Content-Length", strconv.Itoa(len(header)))
	if r.status != http.StatusOK || !strings.HasSuffix(string(r.body), "\x03\x00\x00\x00"+elem) {
		t.Errorf("the same bytes as binary data: %d %q, want 200 ending with them intact", r.status, r.body)
	}
}
