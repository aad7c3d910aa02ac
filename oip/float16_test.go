package oip

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFP16Bits(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want uint16
	}{
		{"zero", 0, 0x0000},
		{"negative zero", math.Copysign(0, -1), 0x8000},
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"one tenth", 0.1, 0x2e66},
		{"largest finite", 65504, 0x7bff},
		{"just below overflow rounds down", 65519.99, 0x7bff},
		{"overflow tie rounds to infinity", 65520, 0x7c00},
		{"huge", 1e300, 0x7c00},
		{"infinity", math.Inf(1), 0x7c00},
		{"minus infinity", math.Inf(-1), 0xfc00},
		{"NaN", math.NaN(), 0x7e00},
		{"smallest normal", 0x1p-14, 0x0400},
		{"largest subnormal", 0x3ffp-24, 0x03ff},
		{"smallest subnormal", 0x1p-24, 0x0001},
		{"half smallest subnormal ties to zero", 0x1p-25, 0x0000},
		{"above half smallest subnormal", 0x1.0000000000001p-25, 0x0001},
		{"three quarters smallest subnormal", 0x3p-26, 0x0001},
		{"subnormal tie rounds to even", 0x3p-25, 0x0002},
		{"subnormal rounds up into normal", 0x7ffp-25, 0x0400},
		{"tie after one rounds to even (down)", 1 + 0x1p-11, 0x3c00},
		{"tie after odd rounds to even (up)", 1 + 0x3p-11, 0x3c02},
		{"just above tie rounds up", 1 + 0x1p-11 + 0x1p-40, 0x3c01},
		{"float64 subnormal", 5e-324, 0x0000},
		{"negative tiny", -1e-30, 0x8000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FP16Bits(tt.in); got != tt.want {
				t.Errorf("FP16Bits(%v) = %#04x, want %#04x", tt.in, got, tt.want)
			}
		})
	}
}

func TestBF16Bits(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want uint16
	}{
		{"zero", 0, 0x0000},
		{"negative zero", math.Copysign(0, -1), 0x8000},
		{"one", 1, 0x3f80},
		{"minus two", -2, 0xc000},
		{"one tenth", 0.1, 0x3dcd},
		{"pi", math.Pi, 0x4049},
		{"largest finite", 0x1.fep127, 0x7f7f},
		{"overflow tie rounds to infinity", 0x1.ffp127, 0x7f80},
		{"infinity", math.Inf(1), 0x7f80},
		{"NaN", math.NaN(), 0x7fc0},
		{"smallest normal", 0x1p-126, 0x0080},
		{"smallest subnormal", 0x1p-133, 0x0001},
		{"half smallest subnormal ties to zero", 0x1p-134, 0x0000},
		{"tie after one rounds to even (down)", 1 + 0x1p-8, 0x3f80},
		{"tie after odd rounds to even (up)", 1 + 0x3p-8, 0x3f82},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BF16Bits(tt.in); got != tt.want {
				t.Errorf("BF16Bits(%v) = %#04x, want %#04x", tt.in, got, tt.want)
			}
		})
	}
}

// TestHalfRoundTripAllPatterns checks every non-NaN 16-bit pattern
// survives value and back, and that the midpoint between neighbours rounds
// to the even one while anything off the midpoint rounds to the nearer.
func TestHalfRoundTripAllPatterns(t *testing.T) {
	formats := []struct {
		name  string
		bits  func(float64) uint16
		value func(uint16) float64
		inf   uint16
	}{
		{"FP16", FP16Bits, FP16Value, fp16Inf},
		{"BF16", BF16Bits, BF16Value, bf16Inf},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			for b := range uint16(f.inf) { // positive finite patterns
				v := f.value(b)
				if got := f.bits(v); got != b {
					t.Fatalf("bits(value(%#04x) = %v) = %#04x", b, v, got)
				}
				if got := f.bits(-v); got != b|0x8000 {
					t.Fatalf("bits(%v) = %#04x, want %#04x", -v, got, b|0x8000)
				}
				next := f.value(b + 1) // b+1 == inf is fine: midpoint is the overflow tie
				if b+1 == f.inf {
					next = 2*v - f.value(b-1)
				}
				mid := v + (next-v)/2
				even := b
				if b&1 == 1 {
					even = b + 1
				}
				if got := f.bits(mid); got != even {
					t.Fatalf("bits(midpoint %v of %#04x and %#04x) = %#04x, want %#04x", mid, b, b+1, got, even)
				}
				if got := f.bits(math.Nextafter(mid, 0)); got != b {
					t.Fatalf("bits(just below midpoint after %#04x) = %#04x", b, got)
				}
				if got := f.bits(math.Nextafter(mid, math.Inf(1))); got != b+1 {
					t.Fatalf("bits(just above midpoint after %#04x) = %#04x", b, got)
				}
			}
		})
	}
}

// TestBF16MatchesFloat32Rounding compares BF16Bits on float32 values with
// the well-known rounding of a float32's bits.
func TestBF16MatchesFloat32Rounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		u := rng.Uint32()
		f := math.Float32frombits(u)
		if f != f {
			continue
		}
		want := uint16((u + 0x7fff + (u>>16)&1) >> 16)
		if got := BF16Bits(float64(f)); got != want {
			t.Fatalf("BF16Bits(%v [%#08x]) = %#04x, want %#04x", f, u, got, want)
		}
	}
}

func TestHalfValueSpecials(t *testing.T) {
	if v := FP16Value(0x7c01); !math.IsNaN(v) {
		t.Errorf("FP16Value(0x7c01) = %v, want NaN", v)
	}
	if v := BF16Value(0xff80); !math.IsInf(v, -1) {
		t.Errorf("BF16Value(0xff80) = %v, want -Inf", v)
	}
	if v := FP16Value(0x8001); v != -0x1p-24 {
		t.Errorf("FP16Value(0x8001) = %v, want %v", v, -0x1p-24)
	}
}
