package oip

import (
	"fmt"
	"math"
)

// allDatatypes lists every datatype of the protocol.
var allDatatypes = []Datatype{Bool, Uint8, Uint16, Uint32, Uint64, Int8, Int16, Int32, Int64, FP16, BF16, FP32, FP64, Bytes}

// sample returns a tensor of datatype dt and shape [rows, 2] whose values
// depend on seed and cover each datatype's extremes, so tensors built with
// different seeds differ.
func sample(name string, dt Datatype, rows int64, seed int) Tensor {
	n := int(rows * 2)
	shp := shape(rows, 2)
	if dt == Bytes {
		vals := make([][]byte, n)
		for i := range vals {
			vals[i] = fmt.Appendf(nil, "s%d.%d é\n\"", seed, i)
		}
		return NewBytes(name, shp, vals)
	}
	var b []byte
	for i := range n {
		k := int64(seed*31 + i)
		switch dt {
		case Bool:
			b = append(b, byte(k%2))
		case FP16:
			b = append(b, le16(FP16Bits(float64(k)*0.5-3))...)
		case BF16:
			b = append(b, le16(BF16Bits(float64(k)*-0.25+1e10))...)
		case FP32:
			b = append(b, le(4, int64(math.Float32bits(float32(k)*0.1-7)))...)
		case FP64:
			b = append(b, le(8, int64(math.Float64bits(float64(k)*1e-300)))...)
		default:
			minVal, umax, _ := dt.intRange()
			v := []int64{minVal, int64(umax), k, -k}[i%4] // extremes first
			b = append(b, le(dt.Size(), v)...)
		}
	}
	return NewRaw(name, dt, shp, b)
}
