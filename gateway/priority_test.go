package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// TestPriorityParameterCappedByKey sends Triton's priority parameter over
// HTTP, gRPC (as uint64_param, as Triton's client does) and a gRPC
// stream, and reads the class each call was queued in from
// sluice_requests_total: a level above what the caller's key (or the
// priority header) allows is capped there, a level below it lowers the
// class (and is shed when the shed level refuses the lower class), 0
// keeps the key's, levels beyond the table are its last, and a negative
// level is refused.
func TestPriorityParameterCappedByKey(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := gateway.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, nil, func(c *fleetConfig) {
		c.gateway.Metrics = m
		c.gateway.PriorityLevels = []batcher.Priority{batcher.Critical, batcher.High, batcher.Normal, batcher.Low}
	})
	tests := []struct {
		name   string
		key    string
		header string // x-sluice-priority, if any
		level  int64
		shed   batcher.ShedLevel
		want   string // the class; "" for a refused call
	}{
		{"level 1 capped at a normal key", keyNormal, "", 1, batcher.ShedNone, "normal"},
		{"level 1 capped at a high key", keyHigh, "", 1, batcher.ShedNone, "high"},
		{"level 2 under a high key", keyHigh, "", 2, batcher.ShedNone, "high"},
		{"level 3 below a high key", keyHigh, "", 3, batcher.ShedNone, "normal"},
		{"level 4 below a normal key", keyNormal, "", 4, batcher.ShedNone, "low"},
		{"level 99 beyond the table", keyNormal, "", 99, batcher.ShedNone, "low"},
		{"level 0 keeps the key's class", keyHigh, "", 0, batcher.ShedNone, "high"},
		{"level 1 capped by the header", keyHigh, "low", 1, batcher.ShedNone, "low"},
		{"a negative level is refused", keyNormal, "", -1, batcher.ShedNone, ""},
		{"level 4 lowers a normal key's call into the shed class", keyNormal, "", 4, batcher.ShedLow, ""},
		{"level 1 under a high key is not shed", keyHigh, "", 1, batcher.ShedNormal, "high"},
	}
	transports := []struct {
		name string
		send prioritySender
	}{{"HTTP", f.priorityHTTP}, {"gRPC", f.priorityGRPC}, {"gRPC stream", f.priorityStream}}
	for _, tt := range tests {
		for _, tr := range transports {
			t.Run(tt.name+" over "+tr.name, func(t *testing.T) {
				f.admission.SetShed(tt.shed)
				defer f.admission.SetShed(batcher.ShedNone)
				served := func() float64 {
					return samples(t, reg)["sluice_requests_total{code=200,model=sum,pool=pool,priority="+tt.want+"}"]
				}
				before := served()
				md := []string{"x-api-key", tt.key}
				if tt.header != "" {
					md = append(md, "x-sluice-priority", tt.header)
				}
				err := tr.send(tt.level, md)
				if tt.want == "" {
					if err == nil {
						t.Error("served, want refused")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := served() - before; got != 1 {
					t.Errorf("%v calls served as %s, want 1", got, tt.want)
				}
			})
		}
	}
}

// prioritySender sends a sum call with priority level under metadata md
// (name, value, ...) and returns nil when it is answered.
type prioritySender func(level int64, md []string) error

func (f *fleet) priorityHTTP(level int64, md []string) error {
	body := `{"parameters":{"priority":` + strconv.FormatInt(level, 10) + `},"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[1]}]}`
	if r := f.post(context.Background(), "sum", []byte(body), md...); r.status != http.StatusOK {
		return fmt.Errorf("status %d: %s", r.status, r.body)
	}
	return nil
}

// priorityRequest is the sum request with level as Triton's gRPC client
// sends it: uint64_param, or int64_param for a negative level.
func priorityRequest(level int64) *inferencepb.ModelInferRequest {
	p := &inferencepb.InferParameter{ParameterChoice: &inferencepb.InferParameter_Int64Param{Int64Param: level}}
	if level >= 0 {
		p = &inferencepb.InferParameter{ParameterChoice: &inferencepb.InferParameter_Uint64Param{Uint64Param: uint64(level)}}
	}
	req := sumProto("sum")
	req.Parameters = map[string]*inferencepb.InferParameter{"priority": p}
	return req
}

func (f *fleet) priorityGRPC(level int64, md []string) error {
	ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), md...), 10*time.Second)
	defer cancel()
	_, err := f.grpc.ModelInfer(ctx, priorityRequest(level))
	return err
}

func (f *fleet) priorityStream(level int64, md []string) error {
	ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), md...), 10*time.Second)
	defer cancel()
	stream, err := f.grpc.ModelStreamInfer(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(priorityRequest(level)); err != nil {
		return err
	}
	out, err := stream.Recv()
	if err != nil {
		return err
	}
	if msg := out.GetErrorMessage(); msg != "" {
		return fmt.Errorf("stream answer: %s", msg)
	}
	return stream.CloseSend()
}
