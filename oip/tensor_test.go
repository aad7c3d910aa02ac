package oip

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTypedGetters(t *testing.T) {
	x32, x64, xi := NewFP32("x", shape(2), []float32{1.5, -2}), NewFP64("x", shape(1), []float64{0.1}), NewInt64("x", shape(2), []int64{-1, 1 << 62})
	f32, err := x32.Float32s()
	if d := cmp.Diff([]float32{1.5, -2}, f32); err != nil || d != "" {
		t.Errorf("Float32s() err %v, (-want +got):\n%s", err, d)
	}
	f64, err := x64.Float64s()
	if d := cmp.Diff([]float64{0.1}, f64); err != nil || d != "" {
		t.Errorf("Float64s() err %v, (-want +got):\n%s", err, d)
	}
	i64, err := xi.Int64s()
	if d := cmp.Diff([]int64{-1, 1 << 62}, i64); err != nil || d != "" {
		t.Errorf("Int64s() err %v, (-want +got):\n%s", err, d)
	}

	tests := []struct {
		name   string
		tensor Tensor
		get    func(*Tensor) error
		want   string
	}{
		{"Float32s of INT32", NewInt32("x", shape(1), []int32{1}),
			func(t *Tensor) error { _, err := t.Float32s(); return err }, `oip: tensor "x": datatype INT32, not FP32`},
		{"Float64s of FP32", NewFP32("x", shape(1), []float32{1}),
			func(t *Tensor) error { _, err := t.Float64s(); return err }, `oip: tensor "x": datatype FP32, not FP64`},
		{"Int64s of ragged raw", raw("x", Int64, shape(1), []byte{1}),
			func(t *Tensor) error { _, err := t.Int64s(); return err }, `oip: tensor "x": raw data has 1 bytes, not a multiple of 8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, tt.get(&tt.tensor), ErrInvalid, tt.want)
		})
	}
}

func TestConstructorsCopy(t *testing.T) {
	dims := shape(2)
	vals := [][]byte{[]byte("a"), nil}
	tensor := NewBytes("s", dims, vals)
	dims[0], vals[0][0] = 9, 'z'
	want := Tensor{Name: "s", Datatype: Bytes, Shape: shape(2), Elems: [][]byte{[]byte("a"), {}}}
	if d := cmp.Diff(want, tensor); d != "" {
		t.Errorf("NewBytes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(le(1, 1, 0), NewBool("b", nil, []bool{true, false}).Raw); d != "" {
		t.Errorf("NewBool raw (-want +got):\n%s", d)
	}
}

func TestDataBytes(t *testing.T) {
	tests := []struct {
		name string
		req  InferenceRequest
		want int64
	}{
		{"none", InferenceRequest{}, 0},
		{"fixed size", InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(3), []float32{1, 2, 3}), NewInt64("y", shape(1), []int64{4})}}, 12 + 8},
		{"bytes with their lengths", InferenceRequest{Inputs: []Tensor{NewBytes("s", shape(2), [][]byte{[]byte("abc"), nil})}}, 4 + 3 + 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.req.DataBytes(); got != tt.want {
				t.Errorf("DataBytes() = %d, want %d", got, tt.want)
			}
		})
	}
}
