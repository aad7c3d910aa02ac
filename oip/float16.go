package oip

import "math"

// Half-precision formats: IEEE 754 binary16 (FP16) and bfloat16 (BF16).
// Both are 16-bit patterns stored little-endian in Tensor.Raw.
const (
	fp16ExpBits, fp16MantBits = 5, 10
	bf16ExpBits, bf16MantBits = 8, 7

	fp16Inf = 0x7c00 // positive infinity
	bf16Inf = 0x7f80
)

// FP16Bits returns the IEEE 754 binary16 bit pattern nearest to f, rounding
// ties to even. Magnitudes too large for binary16 become infinities, too
// small ones become (signed) zero or subnormals; NaN becomes a quiet NaN.
// It rounds f once, so it is exact for every float64 (no double rounding
// through float32).
func FP16Bits(f float64) uint16 {
	return roundHalf(f, fp16ExpBits, fp16MantBits)
}

// FP16Value returns the value of the binary16 bit pattern b. Every binary16
// value is exactly representable as a float64.
func FP16Value(b uint16) float64 {
	return expandHalf(b, fp16ExpBits, fp16MantBits)
}

// BF16Bits returns the bfloat16 bit pattern nearest to f (the top 16 bits of
// a float32 after rounding), rounding ties to even, with the same handling
// of overflow, underflow and NaN as FP16Bits.
func BF16Bits(f float64) uint16 {
	return roundHalf(f, bf16ExpBits, bf16MantBits)
}

// BF16Value returns the value of the bfloat16 bit pattern b, exactly.
func BF16Value(b uint16) float64 {
	return expandHalf(b, bf16ExpBits, bf16MantBits)
}

// roundHalf rounds f to a 16-bit binary format with one sign bit, expBits
// exponent bits and mantBits stored mantissa bits, ties to even.
func roundHalf(f float64, expBits, mantBits uint) uint16 {
	const f64MantBits = 52
	b := math.Float64bits(f)
	sign := uint16(b>>48) & 0x8000
	exp := int(b>>f64MantBits) & 0x7ff
	mant := b & (1<<f64MantBits - 1)
	inf := uint16(1<<expBits-1) << mantBits
	switch {
	case exp == 0x7ff && mant != 0:
		return sign | inf | 1<<(mantBits-1) // quiet NaN
	case exp == 0x7ff:
		return sign | inf
	case exp == 0:
		return sign // float64 zero or subnormal: far below any 16-bit format
	}
	bias := 1<<(expBits-1) - 1
	e := exp - 1023
	if e > bias {
		return sign | inf
	}
	if e >= 1-bias { // normal: a carry out of the mantissa bumps the exponent
		h := uint64(e+bias)<<mantBits | mant>>(f64MantBits-mantBits)
		return sign | uint16(roundEven(h, mant, f64MantBits-mantBits))
	}
	shift := f64MantBits - mantBits + uint(1-bias-e) // subnormal
	if shift >= 64 {
		return sign
	}
	m := mant | 1<<f64MantBits
	return sign | uint16(roundEven(m>>shift, m, shift))
}

// roundEven rounds the truncated value h up by one when the low shift bits
// of full, which were cut off, exceed half a unit, or equal it and h is odd.
func roundEven(h, full uint64, shift uint) uint64 {
	rem := full & (1<<shift - 1)
	half := uint64(1) << (shift - 1)
	if rem > half || (rem == half && h&1 == 1) {
		h++
	}
	return h
}

// expandHalf returns the exact value of a 16-bit binary float.
func expandHalf(b uint16, expBits, mantBits uint) float64 {
	bias := 1<<(expBits-1) - 1
	exp := int(b>>mantBits) & (1<<expBits - 1)
	mant := float64(b & (1<<mantBits - 1))
	var v float64
	switch exp {
	case 1<<expBits - 1:
		if mant != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	case 0:
		v = math.Ldexp(mant, 1-bias-int(mantBits))
	default:
		v = math.Ldexp(mant+float64(uint64(1)<<mantBits), exp-bias-int(mantBits))
	}
	if b&0x8000 != 0 {
		return -v
	}
	return v
}
