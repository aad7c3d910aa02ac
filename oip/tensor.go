package oip

import (
	"encoding/binary"
	"math"
	"slices"
)

// NumElements returns the product of t.Shape: 1 for a scalar (empty shape),
// 0 if any dimension is 0. It is meaningful only for a shape without
// negative dimensions whose product fits in an int64, which Validate
// guarantees; for any other shape it returns -1.
func (t *Tensor) NumElements() int64 {
	n, ok := elementCount(t.Shape)
	if !ok {
		return -1
	}
	return n
}

// Float32s returns a copy of the elements of an FP32 tensor. It fails with
// an error matching ErrInvalid for any other datatype or a Raw whose length
// is not a multiple of 4.
func (t *Tensor) Float32s() ([]float32, error) {
	if err := t.checkRaw(FP32); err != nil {
		return nil, err
	}
	out := make([]float32, len(t.Raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Raw[4*i:]))
	}
	return out, nil
}

// Float64s returns a copy of the elements of an FP64 tensor, failing as
// Float32s does for any other datatype.
func (t *Tensor) Float64s() ([]float64, error) {
	if err := t.checkRaw(FP64); err != nil {
		return nil, err
	}
	out := make([]float64, len(t.Raw)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Raw[8*i:]))
	}
	return out, nil
}

// Int64s returns a copy of the elements of an INT64 tensor, failing as
// Float32s does for any other datatype.
func (t *Tensor) Int64s() ([]int64, error) {
	if err := t.checkRaw(Int64); err != nil {
		return nil, err
	}
	out := make([]int64, len(t.Raw)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.Raw[8*i:]))
	}
	return out, nil
}

func (t *Tensor) checkRaw(want Datatype) error {
	if t.Datatype != want {
		return invalidf("oip: tensor %q: datatype %s, not %s", t.Name, t.Datatype, want)
	}
	if len(t.Raw)%want.Size() != 0 {
		return invalidf("oip: tensor %q: raw data has %d bytes, not a multiple of %d",
			t.Name, len(t.Raw), want.Size())
	}
	return nil
}

// NewFP32 returns an FP32 tensor holding a copy of vals with a copy of
// shape. It does not check that len(vals) matches shape; Validate does.
func NewFP32(name string, shape []int64, vals []float32) Tensor {
	raw := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return newRaw(name, FP32, shape, raw)
}

// NewFP64 returns an FP64 tensor holding a copy of vals, as NewFP32 does.
func NewFP64(name string, shape []int64, vals []float64) Tensor {
	raw := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	return newRaw(name, FP64, shape, raw)
}

// NewInt64 returns an INT64 tensor holding a copy of vals, as NewFP32 does.
func NewInt64(name string, shape []int64, vals []int64) Tensor {
	raw := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
	}
	return newRaw(name, Int64, shape, raw)
}

// NewInt32 returns an INT32 tensor holding a copy of vals, as NewFP32 does.
func NewInt32(name string, shape []int64, vals []int32) Tensor {
	raw := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint32(raw, uint32(v))
	}
	return newRaw(name, Int32, shape, raw)
}

// NewBool returns a BOOL tensor holding vals (one byte each, 0 or 1), as
// NewFP32 does.
func NewBool(name string, shape []int64, vals []bool) Tensor {
	raw := make([]byte, len(vals))
	for i, v := range vals {
		if v {
			raw[i] = 1
		}
	}
	return newRaw(name, Bool, shape, raw)
}

// NewBytes returns a BYTES tensor whose elements are copies of vals, as
// NewFP32 does.
func NewBytes(name string, shape []int64, vals [][]byte) Tensor {
	elems := make([][]byte, len(vals))
	for i, v := range vals {
		elems[i] = slices.Clone(v)
		if elems[i] == nil {
			elems[i] = []byte{}
		}
	}
	return Tensor{Name: name, Datatype: Bytes, Shape: cloneShape(shape), Elems: elems}
}

// NewStrings returns a BYTES tensor holding the UTF-8 bytes of vals, as
// NewFP32 does.
func NewStrings(name string, shape []int64, vals ...string) Tensor {
	elems := make([][]byte, len(vals))
	for i, v := range vals {
		elems[i] = []byte(v)
	}
	return Tensor{Name: name, Datatype: Bytes, Shape: cloneShape(shape), Elems: elems}
}

// NewRaw returns a tensor of any fixed-size datatype whose Raw is a copy of
// raw (little-endian, row-major), as NewFP32 does.
func NewRaw(name string, dt Datatype, shape []int64, raw []byte) Tensor {
	return newRaw(name, dt, shape, slices.Clone(raw))
}

// newRaw builds a fixed-size tensor that takes ownership of raw.
func newRaw(name string, dt Datatype, shape []int64, raw []byte) Tensor {
	if raw == nil {
		raw = []byte{}
	}
	return Tensor{Name: name, Datatype: dt, Shape: cloneShape(shape), Raw: raw}
}

// cloneShape copies shape, keeping a scalar's shape non-nil and empty.
func cloneShape(shape []int64) []int64 {
	return append(make([]int64, 0, len(shape)), shape...)
}

// DataBytes returns the bytes of the request's input data as the gRPC
// protocol carries it in raw_input_contents: each fixed-size tensor's
// Raw, and each BYTES element with its 4-byte length. It is what bounds a
// batch's size against a worker's limit on one message.
func (r *InferenceRequest) DataBytes() int64 {
	var n int64
	for i := range r.Inputs {
		t := &r.Inputs[i]
		n += int64(len(t.Raw))
		for _, e := range t.Elems {
			n += 4 + int64(len(e))
		}
	}
	return n
}
