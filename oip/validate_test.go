package oip

import "testing"

func TestRequestValidate(t *testing.T) {
	x := NewFP32("x", shape(2), []float32{1, 2})
	tests := []struct {
		name string
		req  InferenceRequest
		want []string
	}{
		{"valid", InferenceRequest{Inputs: []Tensor{x, NewStrings("s", shape(1, 2), "a", "b")}}, nil},
		{"valid zero elements", InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(0, 3), nil)}}, nil},
		{"no inputs", InferenceRequest{}, []string{"oip: request has no inputs"}},
		{"empty name", InferenceRequest{Inputs: []Tensor{x, NewFP32("", shape(), []float32{1})}},
			[]string{"oip: input 1: empty name"}},
		{"unknown datatype", InferenceRequest{Inputs: []Tensor{{Name: "x", Datatype: "STRING"}}},
			[]string{`oip: input "x": unknown datatype "STRING"`}},
		{"overflowing shape", InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(1<<40, 1<<40), nil)}},
			[]string{`oip: input "x": shape [1099511627776 1099511627776] has more elements than an int64 counts`}},
		{"too few raw bytes", InferenceRequest{Inputs: []Tensor{raw("x", Int16, shape(3), le(2, 1, 2))}},
			[]string{`oip: input "x": shape [3] needs 3 elements, data has 2`}},
		{"raw not a multiple of size", InferenceRequest{Inputs: []Tensor{raw("x", Int16, shape(3), []byte{1, 2, 3})}},
			[]string{`oip: input "x": raw data has 3 bytes, not a multiple of 2`}},
		{"too many BYTES elements", InferenceRequest{Inputs: []Tensor{NewStrings("s", shape(1), "a", "b")}},
			[]string{`oip: input "s": shape [1] needs 1 elements, data has 2`}},
		{"BYTES in Raw", InferenceRequest{Inputs: []Tensor{{Name: "s", Datatype: Bytes, Shape: shape(1), Raw: []byte("a")}}},
			[]string{`oip: input "s": BYTES data must be in Elems, found 1 raw bytes`}},
		{"FP32 in Elems", InferenceRequest{Inputs: []Tensor{{Name: "x", Datatype: FP32, Shape: shape(1), Elems: [][]byte{{0, 0, 0, 0}}}}},
			[]string{`oip: input "x": FP32 data must be in Raw, found 1 Elems`}},
		{"empty requested output name", InferenceRequest{Inputs: []Tensor{x}, Outputs: []RequestedOutput{{Name: "y"}, {}}},
			[]string{"oip: requested output 1: empty name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.req.Validate(), ErrInvalid, tt.want...)
		})
	}
}

func TestValidateManyDuplicateNames(t *testing.T) {
	req := InferenceRequest{}
	for i := range 2 * smallSet {
		req.Inputs = append(req.Inputs, NewInt32(string(rune('a'+i)), shape(), []int32{1}))
	}
	req.Inputs = append(req.Inputs, NewInt32("c", shape(), []int32{1}))
	checkErr(t, req.Validate(), ErrInvalid, `oip: input "c": name appears twice (inputs 2 and 32)`)
}

func TestResponseValidate(t *testing.T) {
	tests := []struct {
		name string
		resp InferenceResponse
		want []string
	}{
		{"no outputs is fine", InferenceResponse{ModelName: "m"}, nil},
		{"valid", InferenceResponse{Outputs: []Tensor{NewInt64("y", shape(1), []int64{1})}}, nil},
		{"mismatch", InferenceResponse{Outputs: []Tensor{NewInt64("y", shape(2), []int64{1})}},
			[]string{`oip: output "y": shape [2] needs 2 elements, data has 1`}},
		{"duplicate", InferenceResponse{Outputs: []Tensor{NewInt64("y", shape(), []int64{1}), NewInt64("y", shape(), []int64{2})}},
			[]string{`oip: output "y": name appears twice (outputs 0 and 1)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.resp.Validate(), ErrInvalid, tt.want...)
		})
	}
}
