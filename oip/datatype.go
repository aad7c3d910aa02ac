package oip

import "math"

// Size returns the bytes one element of d takes in Tensor.Raw: 1 for BOOL,
// INT8 and UINT8, 2 for the 16-bit types (FP16 and BF16 included), 4 and 8
// for the 32- and 64-bit types. It returns 0 for BYTES, whose elements vary
// in length, and for an unknown datatype.
func (d Datatype) Size() int {
	switch d {
	case Bool, Uint8, Int8:
		return 1
	case Uint16, Int16, FP16, BF16:
		return 2
	case Uint32, Int32, FP32:
		return 4
	case Uint64, Int64, FP64:
		return 8
	default:
		return 0
	}
}

// Valid reports whether d is one of the protocol's datatypes. Names are
// case-sensitive, as the protocol spells them ("FP32", not "fp32").
func (d Datatype) Valid() bool {
	return d == Bytes || d.Size() > 0
}

// intRange returns the smallest and largest value of an integer datatype
// and whether it is signed; ok is false for other datatypes. For UINT64
// the largest value is returned in umax.
func (d Datatype) intRange() (minVal int64, umax uint64, ok bool) {
	switch d {
	case Int8:
		return math.MinInt8, math.MaxInt8, true
	case Int16:
		return math.MinInt16, math.MaxInt16, true
	case Int32:
		return math.MinInt32, math.MaxInt32, true
	case Int64:
		return math.MinInt64, math.MaxInt64, true
	case Uint8:
		return 0, math.MaxUint8, true
	case Uint16:
		return 0, math.MaxUint16, true
	case Uint32:
		return 0, math.MaxUint32, true
	case Uint64:
		return 0, math.MaxUint64, true
	default:
		return 0, 0, false
	}
}

// elementCount returns the product of shape's dimensions (1 for a scalar),
// or ok false if a dimension is negative or the product overflows int64.
func elementCount(shape []int64) (n int64, ok bool) {
	n = 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}
