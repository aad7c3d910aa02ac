package oip

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// concat joins tensors along dimension 0 the slow, obvious way.
func concat(parts ...Tensor) Tensor {
	out := Tensor{Name: parts[0].Name, Datatype: parts[0].Datatype, Shape: shape(parts[0].Shape...), Parameters: parts[0].Parameters}
	out.Shape[0] = 0
	for _, p := range parts {
		out.Shape[0] += p.Shape[0]
		out.Raw = append(out.Raw, p.Raw...)
		out.Elems = append(out.Elems, p.Elems...)
	}
	return out
}

func TestMergeSplitRoundTrip(t *testing.T) {
	rows := []int64{2, 1, 0, 3}
	for _, dt := range allDatatypes {
		t.Run(string(dt), func(t *testing.T) {
			reqs := make([]*InferenceRequest, len(rows))
			for i, n := range rows {
				reqs[i] = &InferenceRequest{ID: string(rune('a' + i)), Inputs: []Tensor{sample("x", dt, n, i), sample("k", Int64, n, 10+i)}}
			}
			reqs[1].Outputs = []RequestedOutput{{Name: "k"}}

			merged, gotRows, err := MergeRequests(reqs)
			if err != nil {
				t.Fatalf("MergeRequests: %v", err)
			}
			if d := cmp.Diff(rows, gotRows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			want := &InferenceRequest{Inputs: []Tensor{
				concat(reqs[0].Inputs[0], reqs[1].Inputs[0], reqs[2].Inputs[0], reqs[3].Inputs[0]),
				concat(reqs[0].Inputs[1], reqs[1].Inputs[1], reqs[2].Inputs[1], reqs[3].Inputs[1]),
			}}
			diffRequest(t, want, merged)
			if err := merged.Validate(); err != nil {
				t.Errorf("merged request invalid: %v", err)
			}

			resp := &InferenceResponse{ModelName: "m", ModelVersion: "1", ID: "batch", Parameters: Parameters{"p": true}, Outputs: merged.Inputs}
			parts, err := SplitResponse(resp, reqs, gotRows)
			if err != nil {
				t.Fatalf("SplitResponse: %v", err)
			}
			for i, r := range reqs {
				want := &InferenceResponse{ModelName: "m", ModelVersion: "1", ID: r.ID, Parameters: resp.Parameters, Outputs: r.Inputs}
				if i == 1 {
					want.Outputs = r.Inputs[1:]
				}
				diffResponse(t, want, parts[i])
			}
		})
	}
}

func TestMergeRequestsMetadata(t *testing.T) {
	x := func(n int64) []Tensor { return []Tensor{sample("x", FP32, n, 0)} }
	reqs := []*InferenceRequest{
		{ID: "1", Parameters: Parameters{"priority": int64(1), "tag": "a"}, Inputs: x(1), Outputs: []RequestedOutput{{Name: "y"}}},
		{ID: "2", Parameters: Parameters{"priority": int64(1), "tag": "b"}, Inputs: x(2), Outputs: []RequestedOutput{{Name: "z"}, {Name: "y"}}},
		{ID: "3", Parameters: Parameters{"priority": int64(1)}, Inputs: x(1), Outputs: []RequestedOutput{{Name: "w", Parameters: Parameters{"k": "v"}}}},
	}
	merged, _, err := MergeRequests(reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := &InferenceRequest{
		Parameters: Parameters{"priority": int64(1)},
		Inputs:     []Tensor{concat(reqs[0].Inputs[0], reqs[1].Inputs[0], reqs[2].Inputs[0])},
		Outputs:    []RequestedOutput{{Name: "y"}, {Name: "z"}, {Name: "w", Parameters: Parameters{"k": "v"}}},
	}
	diffRequest(t, want, merged)
	if len(reqs[0].Outputs) != 1 {
		t.Errorf("merge changed member 0's outputs: %v", reqs[0].Outputs)
	}

	reqs[2].Outputs = nil // one member wants all outputs
	merged, _, err = MergeRequests(reqs)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Outputs != nil {
		t.Errorf("Outputs = %v, want nil (all)", merged.Outputs)
	}
}

func TestMergeSingleShares(t *testing.T) {
	r := &InferenceRequest{ID: "solo", Parameters: Parameters{"a": "b"}, Inputs: []Tensor{sample("x", FP32, 2, 0)}}
	merged, rows, err := MergeRequests([]*InferenceRequest{r})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, []int64{2}) || &merged.Inputs[0] != &r.Inputs[0] || merged.ID != "" {
		t.Errorf("MergeRequests(one) = %+v, rows %v; want the member's inputs shared, no ID", merged, rows)
	}
}

func TestMergeRequestsErrors(t *testing.T) {
	x2 := sample("x", FP32, 2, 0)
	req := func(ts ...Tensor) *InferenceRequest { return &InferenceRequest{Inputs: ts} }
	base := req(x2)
	tests := []struct {
		name     string
		reqs     []*InferenceRequest
		sentinel error
		want     string
	}{
		{"none", nil, ErrBatchMismatch, "oip: merge of no requests"},
		{"no inputs", []*InferenceRequest{base, req()}, ErrBatchMismatch, "oip: batch member 1: request has no inputs"},
		{"scalar", []*InferenceRequest{req(NewFP32("x", nil, []float32{1}))}, ErrBatchMismatch, `oip: batch member 0: input "x": a scalar has no dimension 0`},
		{"rows disagree", []*InferenceRequest{base, req(x2, sample("y", FP32, 3, 0))}, ErrBatchMismatch,
			`oip: batch member 1: input "y" has 3 rows, input "x" has 2`},
		{"other name", []*InferenceRequest{base, req(sample("z", FP32, 1, 0))}, ErrBatchMismatch, "oip: batch member 1: inputs differ"},
		{"other datatype", []*InferenceRequest{base, req(sample("x", FP64, 1, 0))}, ErrBatchMismatch, "oip: batch member 1: inputs differ"},
		{"other inner dims", []*InferenceRequest{base, req(NewFP32("x", shape(1, 3), make([]float32, 3)))}, ErrBatchMismatch, "oip: batch member 1: inputs differ"},
		{"other rank", []*InferenceRequest{base, req(NewFP32("x", shape(1, 2, 1), make([]float32, 2)))}, ErrBatchMismatch, "oip: batch member 1: inputs differ"},
		{"extra input", []*InferenceRequest{base, req(x2, sample("y", FP32, 2, 0))}, ErrBatchMismatch, "oip: batch member 1: inputs differ"},
		{"short storage", []*InferenceRequest{base, req(NewFP32("x", shape(2, 2), []float32{1}))}, ErrBatchMismatch,
			`oip: batch member 1: input "x": shape [2 2] needs 16 elements' storage, data has 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := MergeRequests(tt.reqs)
			checkErr(t, err, tt.sentinel, tt.want)
		})
	}
}

func TestSplitResponseErrors(t *testing.T) {
	reqs := []*InferenceRequest{{ID: "a"}, {ID: "b"}}
	out := func(ts ...Tensor) *InferenceResponse { return &InferenceResponse{Outputs: ts} }
	tests := []struct {
		name string
		resp *InferenceResponse
		rows []int64
		want string
	}{
		{"rows length", out(), []int64{1}, "oip: split into 2 members with 1 row counts"},
		{"negative rows", out(), []int64{2, -1}, "oip: split: member 1 has -1 rows"},
		{"dimension 0", out(sample("y", FP32, 4, 0)), []int64{2, 1}, `oip: output "y": shape [4 2], batch has 3 rows`},
		{"scalar", out(NewFP32("y", nil, []float32{1})), []int64{1, 0}, `oip: output "y": shape [], batch has 1 rows`},
		{"storage", out(NewFP32("y", shape(3), []float32{1})), []int64{2, 1}, `oip: output "y": shape [3] needs 3 elements, data has 1`},
		{"unknown datatype", out(Tensor{Name: "y", Datatype: "X", Shape: shape(3)}), []int64{2, 1}, `oip: output "y": datatype "X" and shape [3] cannot be split`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SplitResponse(tt.resp, reqs, tt.rows)
			checkErr(t, err, ErrBatchMismatch, tt.want)
		})
	}
}

func TestSplitSharesStorageSafely(t *testing.T) {
	reqs := []*InferenceRequest{{ID: "a"}, {ID: "b"}}
	resp := &InferenceResponse{Outputs: []Tensor{NewInt32("y", shape(2), []int32{1, 2})}}
	parts, err := SplitResponse(resp, reqs, []int64{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = append(parts[0].Outputs[0].Raw, 9, 9, 9, 9) // must not overwrite member 1's row
	_ = append(parts[0].Outputs[0].Shape, 7)
	if d := cmp.Diff(NewInt32("y", shape(1), []int32{2}), parts[1].Outputs[0]); d != "" {
		t.Errorf("member 1 (-want +got):\n%s", d)
	}
}

func TestRows(t *testing.T) {
	tests := []struct {
		name string
		req  InferenceRequest
		want int64
		err  string
	}{
		{"one input", InferenceRequest{Inputs: []Tensor{sample("x", FP32, 3, 0)}}, 3, ""},
		{"agreeing inputs", InferenceRequest{Inputs: []Tensor{sample("x", FP32, 2, 0), NewStrings("s", shape(2), "a", "b")}}, 2, ""},
		{"no inputs", InferenceRequest{}, 0, "oip: request has no inputs"},
		{"scalar", InferenceRequest{Inputs: []Tensor{NewFP32("x", nil, []float32{1})}}, 0, `oip: input "x": a scalar has no dimension 0`},
		{"disagreeing", InferenceRequest{Inputs: []Tensor{sample("x", FP32, 2, 0), sample("y", FP32, 1, 0)}}, 0, `oip: input "y" has 1 rows, input "x" has 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.Rows()
			if tt.err == "" {
				checkErr(t, err, ErrInvalid)
			} else {
				checkErr(t, err, ErrInvalid, tt.err)
			}
			if got != tt.want {
				t.Errorf("Rows() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBatchKey(t *testing.T) {
	base := &InferenceRequest{ID: "1", Inputs: []Tensor{sample("x", FP32, 2, 0), NewStrings("s", shape(2), "a", "b")}}
	tests := []struct {
		name  string
		other *InferenceRequest
		equal bool
	}{
		{"other rows, ID, parameters and outputs", &InferenceRequest{ID: "2", Parameters: Parameters{"a": "b"}, Outputs: []RequestedOutput{{Name: "o"}},
			Inputs: []Tensor{sample("x", FP32, 5, 1), NewStrings("s", shape(5), "a", "b", "c", "d", "e")}}, true},
		{"other name", &InferenceRequest{Inputs: []Tensor{sample("y", FP32, 2, 0), NewStrings("s", shape(2), "a", "b")}}, false},
		{"other order", &InferenceRequest{Inputs: []Tensor{NewStrings("s", shape(2), "a", "b"), sample("x", FP32, 2, 0)}}, false},
		{"other datatype", &InferenceRequest{Inputs: []Tensor{sample("x", FP16, 2, 0), NewStrings("s", shape(2), "a", "b")}}, false},
		{"other inner dimension", &InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(2, 3), nil), NewStrings("s", shape(2), "a", "b")}}, false},
		{"other rank", &InferenceRequest{Inputs: []Tensor{sample("x", FP32, 2, 0), NewStrings("s", shape(2, 1), "a", "b")}}, false},
		{"scalar against vector", &InferenceRequest{Inputs: []Tensor{sample("x", FP32, 2, 0), NewStrings("s", nil, "a")}}, false},
		{"fewer inputs", &InferenceRequest{Inputs: []Tensor{sample("x", FP32, 2, 0)}}, false},
		{"forged separators", &InferenceRequest{Inputs: []Tensor{{Name: "x1:", Datatype: "FP32", Shape: shape(2, 2)}, NewStrings("s", shape(2), "a", "b")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := base.BatchKey() == tt.other.BatchKey(); got != tt.equal {
				t.Errorf("keys equal = %v, want %v (%q vs %q)", got, tt.equal, base.BatchKey(), tt.other.BatchKey())
			}
			if got := sameKey(base, tt.other); got != tt.equal {
				t.Errorf("sameKey = %v, want %v", got, tt.equal)
			}
		})
	}
}
