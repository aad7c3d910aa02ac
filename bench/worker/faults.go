package worker

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// Garbage is a kind of malformed answer a worker with Options.Garbage
// sends instead of a good one. The kinds take turns, in the order below,
// over all inference answers of the worker, whatever their transport.
type Garbage int

const (
	// GarbageShape is an answer whose first output claims one row more
	// than its data holds.
	GarbageShape Garbage = iota
	// GarbageTruncated is an answer cut short: over HTTP the first half
	// of the JSON body, over gRPC the first output's raw contents halved.
	GarbageTruncated
	// GarbageMalformed is an answer that is not a response at all: over
	// HTTP a body that is not JSON, over gRPC one raw_output_contents
	// entry more than there are outputs.
	GarbageMalformed
	// garbageKinds counts the kinds.
	garbageKinds
)

// String names the kind.
func (g Garbage) String() string {
	switch g {
	case GarbageShape:
		return "shape"
	case GarbageTruncated:
		return "truncated"
	case GarbageMalformed:
		return "malformed"
	}
	return fmt.Sprintf("Garbage(%d)", int(g))
}

// notJSON is the body of a GarbageMalformed answer over HTTP.
const notJSON = "<html><body>internal error: model crashed</body></html>"

// validateFaults checks the fault options.
func (o Options) validateFaults() error {
	if o.Slowdown < 0 || math.IsNaN(o.Slowdown) || math.IsInf(o.Slowdown, 0) {
		return fmt.Errorf("slowdown = %v, must be a finite number >= 0: %w", o.Slowdown, ErrOptions)
	}
	return nil
}

// curve is the device's latency curve: Base and PerItem, each multiplied
// by Slowdown (0 counting as 1).
func (o Options) curve() costmodel.Curve {
	f := o.Slowdown
	if f == 0 {
		f = 1
	}
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) * f) }
	return costmodel.Curve{Base: scale(o.Base), PerItem: scale(o.PerItem)}
}

// garbler spoils good answers, one kind after the other. Safe for
// concurrent use; a nil *garbler spoils nothing.
type garbler struct {
	sent atomic.Int64
}

// newGarbler returns a garbler when on, else nil.
func newGarbler(on bool) *garbler {
	if !on {
		return nil
	}
	return &garbler{}
}

// next returns the kind of the next garbage answer.
func (g *garbler) next() Garbage {
	return Garbage((g.sent.Add(1) - 1) % int64(garbageKinds))
}

// writeHTTP writes a spoiled form of resp with status 200.
func (g *garbler) writeHTTP(w http.ResponseWriter, resp *oip.InferenceResponse) {
	kind := g.next()
	var body []byte
	switch kind {
	case GarbageShape:
		body, _ = json.Marshal(misshapen(resp))
	case GarbageTruncated:
		full, _ := json.Marshal(resp)
		body = full[:len(full)/2]
	default:
		body = []byte(notJSON)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Sluice-Garbage", kind.String())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// proto returns a spoiled form of resp as a gRPC answer.
func (g *garbler) proto(resp *oip.InferenceResponse) *inferencepb.ModelInferResponse {
	kind := g.next()
	if kind == GarbageShape {
		return oip.ResponseToProto(misshapen(resp))
	}
	m := oip.ResponseToProto(resp)
	if kind == GarbageTruncated && len(m.RawOutputContents) > 0 {
		raw := m.RawOutputContents[0]
		m.RawOutputContents[0] = raw[:len(raw)/2]
		return m
	}
	m.RawOutputContents = append(m.RawOutputContents, []byte{0xde, 0xad})
	return m
}

// misshapen returns resp with one row more in its first output's shape
// than its data holds (a scalar output becomes a vector of two); the
// result shares resp's data but not its shapes.
func misshapen(resp *oip.InferenceResponse) *oip.InferenceResponse {
	out := *resp
	out.Outputs = slices.Clone(resp.Outputs)
	if len(out.Outputs) == 0 {
		out.Outputs = []oip.Tensor{oip.NewFP32("garbage", []int64{2}, []float32{1})}
		return &out
	}
	first := &out.Outputs[0]
	first.Shape = slices.Clone(first.Shape)
	if len(first.Shape) == 0 {
		first.Shape = []int64{1}
	}
	first.Shape[0]++
	return &out
}
