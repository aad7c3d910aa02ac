package router

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

func TestFactsOf(t *testing.T) {
	two := &oip.InferenceRequest{Inputs: []oip.Tensor{
		oip.NewFP32("x", []int64{4, 3}, make([]float32, 12)),
		{Name: "s", Datatype: oip.Bytes, Shape: []int64{4}, Elems: [][]byte{[]byte("ab"), nil, []byte("c"), []byte("def")}},
	}}
	m := Model{Name: "m", SLO: 200 * ms, Timeout: time.Second}
	tests := []struct {
		name string
		req  Request
		want Facts
	}{
		{"rows, elements and bytes of every input",
			Request{Model: "m", Req: two, Priority: batcher.High, Enqueued: t0, Deadline: t0.Add(time.Second)},
			Facts{Model: "m", Rows: 4, Elements: 16, Bytes: 48 + 6, DataBytes: 48 + 6 + 4*4, Priority: batcher.High, SLO: 200 * ms, Due: t0.Add(200 * ms),
				Deadline: t0.Add(time.Second)}},
		{"a deadline before the SLO's end is due",
			Request{Model: "m", Req: sumRequest("", 1), Enqueued: t0, Deadline: t0.Add(50 * ms)},
			Facts{Model: "m", Rows: 1, Elements: 1, Bytes: 4, DataBytes: 4, SLO: 200 * ms, Due: t0.Add(50 * ms), Deadline: t0.Add(50 * ms)}},
		{"no deadline: the SLO's end is due",
			Request{Model: "m", Req: sumRequest("", 1), Enqueued: t0},
			Facts{Model: "m", Rows: 1, Elements: 1, Bytes: 4, DataBytes: 4, SLO: 200 * ms, Due: t0.Add(200 * ms)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := factsOf(&tt.req, m)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Facts{}, "Header")); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestItemKeepsArrivalDeadlineAndDue(t *testing.T) {
	three := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{3, 1}, []float32{1, 2, 3})}}
	req := &Request{Model: "m", Version: "1", Req: three, Priority: batcher.Low, Enqueued: t0, Deadline: t0.Add(time.Second)}
	tests := []struct {
		name     string
		batching bool
		rows     int64
	}{{"batching counts rows", true, 3}, {"one by one counts one", false, 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Model{Name: "m", SLO: 200 * ms, Batching: tt.batching}
			it := item(req, m, factsOf(req, m))
			want := &batcher.Item{
				Model: "m", Version: "1", Req: req.Req, Priority: batcher.Low, Rows: tt.rows, Bytes: 12,
				Key: batcher.ItemKey("m", "1", req.Req.BatchKey()), Enqueued: t0, Deadline: t0.Add(time.Second), Due: t0.Add(200 * ms),
			}
			if diff := cmp.Diff(want, it, cmpopts.IgnoreUnexported(batcher.Item{})); diff != "" {
				t.Errorf("item (-want +got):\n%s", diff)
			}
		})
	}
}
