package oip

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// equateEmpty makes nil and empty slices and maps equal in comparisons:
// the codecs may produce either for "no elements".
var equateEmpty = cmpopts.EquateEmpty()

// le packs little-endian elements of size bytes each; values are
// truncated to size, so negative numbers give two's complement.
func le(size int, vals ...int64) []byte {
	var b []byte
	for _, v := range vals {
		b = appendUint(b, uint64(v), size)
	}
	return b
}

// le16 packs 16-bit patterns (FP16, BF16).
func le16(vals ...uint16) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

func raw(name string, dt Datatype, shape []int64, b []byte) Tensor {
	return NewRaw(name, dt, shape, b)
}

func shape(dims ...int64) []int64 { return append([]int64{}, dims...) }

// checkErr fails t unless err matches sentinel and contains every one of
// the substrings in want (none when err must be nil).
func checkErr(t *testing.T, err, sentinel error, want ...string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not match %v", err, sentinel)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func diffRequest(t *testing.T, want, got *InferenceRequest) {
	t.Helper()
	if d := cmp.Diff(want, got, equateEmpty); d != "" {
		t.Errorf("request mismatch (-want +got):\n%s", d)
	}
}

func diffResponse(t *testing.T, want, got *InferenceResponse) {
	t.Helper()
	if d := cmp.Diff(want, got, equateEmpty); d != "" {
		t.Errorf("response mismatch (-want +got):\n%s", d)
	}
}
