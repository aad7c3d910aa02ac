package worker

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
)

func TestSum(t *testing.T) {
	tests := []struct {
		name      string
		shape     []int64
		vals      []float32
		wantShape []int64
		want      []float32
	}{
		{"one row", []int64{1, 3}, []float32{1, 2, 3}, []int64{1}, []float32{6}},
		{"three rows", []int64{3, 2}, []float32{1, 2, 3, 4, -5, 0.5}, []int64{3}, []float32{3, 7, -4.5}},
		{"empty rows", []int64{2, 0}, []float32{}, []int64{2}, []float32{0, 0}},
		{"no rows", []int64{0, 4}, []float32{}, []int64{0}, []float32{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs, err := sum([]oip.Tensor{oip.NewFP32("x", tt.shape, tt.vals)})
			if err != nil {
				t.Fatalf("sum: %v", err)
			}
			if len(outs) != 1 || outs[0].Name != "sum" || outs[0].Datatype != oip.FP32 {
				t.Fatalf("sum outputs = %+v, want one FP32 tensor named sum", outs)
			}
			if diff := cmp.Diff(tt.wantShape, outs[0].Shape); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
			got, err := outs[0].Float32s()
			if err != nil {
				t.Fatalf("Float32s: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sums (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSumRejects(t *testing.T) {
	x := oip.NewFP32("x", []int64{1, 2}, []float32{1, 2})
	y := oip.NewFP32("y", []int64{1, 2}, []float32{1, 2})
	rank1 := oip.NewFP32("x", []int64{2}, []float32{1, 2})
	ints := oip.Tensor{Name: "x", Datatype: oip.Int32, Shape: []int64{1, 1}, Raw: []byte{1, 0, 0, 0}}
	tests := []struct {
		name   string
		inputs []oip.Tensor
	}{
		{"no input", nil},
		{"other name", []oip.Tensor{y}},
		{"extra input", []oip.Tensor{x, y}},
		{"rank 1", []oip.Tensor{rank1}},
		{"INT32", []oip.Tensor{ints}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sum(tt.inputs); !errors.Is(err, ErrBadInput) {
				t.Errorf("sum error = %v, want %v", err, ErrBadInput)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	in := []oip.Tensor{
		{Name: "s", Datatype: oip.Bytes, Shape: []int64{2}, Elems: [][]byte{[]byte("ab"), {}}, Parameters: oip.Parameters{"p": "v"}},
		oip.NewFP32("f", []int64{1, 2}, []float32{1.5, -2}),
	}
	want := []oip.Tensor{
		{Name: "s", Datatype: oip.Bytes, Shape: []int64{2}, Elems: [][]byte{[]byte("ab"), {}}},
		oip.NewFP32("f", []int64{1, 2}, []float32{1.5, -2}),
	}
	got, err := echo(in)
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}
}

func TestSelectOutputs(t *testing.T) {
	a, b := oip.Tensor{Name: "a"}, oip.Tensor{Name: "b"}
	tests := []struct {
		name    string
		wanted  []string
		want    []oip.Tensor
		wantErr error
	}{
		{"none asked means all", nil, []oip.Tensor{a, b}, nil},
		{"one", []string{"b"}, []oip.Tensor{b}, nil},
		{"request order", []string{"b", "a"}, []oip.Tensor{b, a}, nil},
		{"unknown", []string{"a", "c"}, nil, ErrUnknownOutput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wanted []oip.RequestedOutput
			for _, n := range tt.wanted {
				wanted = append(wanted, oip.RequestedOutput{Name: n})
			}
			got, err := selectOutputs([]oip.Tensor{a, b}, wanted)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBatchRows(t *testing.T) {
	tests := []struct {
		name   string
		shapes [][]int64
		want   int64
	}{
		{"no inputs", nil, 0},
		{"scalar", [][]int64{{}}, 1},
		{"dimension 0", [][]int64{{4, 3}}, 4},
		{"largest of inputs", [][]int64{{2}, {5, 1}, {}}, 5},
		{"zero rows", [][]int64{{0, 3}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inputs []oip.Tensor
			for _, s := range tt.shapes {
				inputs = append(inputs, oip.Tensor{Shape: s})
			}
			if got := batchRows(inputs); got != tt.want {
				t.Errorf("batchRows = %d, want %d", got, tt.want)
			}
		})
	}
}
