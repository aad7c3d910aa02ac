package oip

import "testing"

func TestDatatypeSizeValid(t *testing.T) {
	tests := []struct {
		dt    Datatype
		size  int
		valid bool
	}{
		{Bool, 1, true}, {Uint8, 1, true}, {Int8, 1, true},
		{Uint16, 2, true}, {Int16, 2, true}, {FP16, 2, true}, {BF16, 2, true},
		{Uint32, 4, true}, {Int32, 4, true}, {FP32, 4, true},
		{Uint64, 8, true}, {Int64, 8, true}, {FP64, 8, true},
		{Bytes, 0, true},
		{"fp32", 0, false}, {"FP8", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.dt), func(t *testing.T) {
			if got := tt.dt.Size(); got != tt.size {
				t.Errorf("Size() = %d, want %d", got, tt.size)
			}
			if got := tt.dt.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
		})
	}
}

func TestNumElements(t *testing.T) {
	tests := []struct {
		name  string
		shape []int64
		want  int64
	}{
		{"scalar", nil, 1},
		{"vector", shape(5), 5},
		{"matrix", shape(2, 3), 6},
		{"zero dimension", shape(4, 0, 3), 0},
		{"negative dimension", shape(2, -1), -1},
		{"overflow", shape(1<<40, 1<<40), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tensor := Tensor{Shape: tt.shape}
			if got := tensor.NumElements(); got != tt.want {
				t.Errorf("NumElements() = %d, want %d", got, tt.want)
			}
		})
	}
}
