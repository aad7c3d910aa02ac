package oip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file decodes the "data" member of a JSON tensor straight into the
// canonical storage, without building a []any: a scanner walks the
// (already syntax-checked) JSON value, flattening nested arrays, and a loop
// per datatype family converts each scalar token.

// dataScanner yields the scalar tokens of one JSON value in document order,
// skipping the brackets and commas of (nested) arrays. The value must be
// valid JSON; encoding/json checks that before our decoders run.
type dataScanner struct {
	b []byte
	i int // read position in b
	n int // tokens returned so far; the index of the next element
}

// next returns the next scalar token (a number, a quoted string with its
// quotes, true, false or null), or nil when the value is exhausted.
func (s *dataScanner) next() ([]byte, error) {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r', '[', ']', ',':
			s.i++
		case '{':
			return nil, fmt.Errorf("element %d: an object is not a tensor element", s.n)
		case '"':
			return s.quoted()
		default:
			return s.literal(), nil
		}
	}
	return nil, nil
}

func (s *dataScanner) quoted() ([]byte, error) {
	start := s.i
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			s.n++
			return s.b[start:s.i], nil
		}
	}
	return nil, fmt.Errorf("element %d: unterminated string", s.n)
}

func (s *dataScanner) literal() []byte {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r', '[', ']', ',', '"', '{':
			s.n++
			return s.b[start:s.i]
		}
		s.i++
	}
	s.n++
	return s.b[start:]
}

// elementHint returns a capacity for the decoded elements of data: the
// shape's element count, capped by the most elements data could hold at
// minBytes bytes each, so a lying shape cannot force a huge allocation.
func elementHint(shape []int64, data []byte, minBytes int) int {
	n, ok := elementCount(shape)
	upper := int64(len(data)/minBytes + 1)
	if !ok || n > upper {
		return int(upper)
	}
	return int(n)
}

// decodeData decodes a JSON data value into t's storage according to
// t.Datatype and t.Shape (a capacity hint only). Errors name the element.
// A missing value or null yields no elements.
func decodeData(t *Tensor, data []byte) error {
	if len(data) == 0 || string(data) == "null" {
		data = nil
	}
	s := &dataScanner{b: data}
	var err error
	switch dt := t.Datatype; {
	case dt == Bytes:
		t.Elems, err = decodeStrings(s, elementHint(t.Shape, data, 3))
	case dt == Bool:
		t.Raw, err = decodeBools(s, elementHint(t.Shape, data, 5))
	case dt == FP16, dt == BF16, dt == FP32, dt == FP64:
		t.Raw, err = decodeFloats(s, dt, elementHint(t.Shape, data, 2)*dt.Size())
	default:
		t.Raw, err = decodeInts(s, dt, elementHint(t.Shape, data, 2)*dt.Size())
	}
	return err
}

func decodeBools(s *dataScanner, hint int) ([]byte, error) {
	out := make([]byte, 0, hint)
	for {
		tok, err := s.next()
		switch {
		case err != nil:
			return nil, err
		case tok == nil:
			return out, nil
		case string(tok) == "true":
			out = append(out, 1)
		case string(tok) == "false":
			out = append(out, 0)
		default:
			return nil, fmt.Errorf("element %d: %s is not true or false", s.n-1, clip(tok))
		}
	}
}

// decodeInts decodes integer elements of datatype dt, range-checked.
func decodeInts(s *dataScanner, dt Datatype, hint int) ([]byte, error) {
	minVal, umax, _ := dt.intRange()
	maxNeg := uint64(-(minVal + 1)) + 1 // magnitude of minVal
	size := dt.Size()
	out := make([]byte, 0, hint)
	for {
		tok, err := s.next()
		if err != nil {
			return nil, err
		}
		if tok == nil {
			return out, nil
		}
		neg, mag, ovf, ok := parseInteger(tok)
		if !ok {
			return nil, fmt.Errorf("element %d: %s is not an integer", s.n-1, clip(tok))
		}
		if ovf || (neg && mag > maxNeg) || (!neg && mag > umax) {
			return nil, fmt.Errorf("element %d: %s out of range for %s", s.n-1, clip(tok), dt)
		}
		v := mag
		if neg {
			v = -mag // two's complement; truncation below keeps the low bytes
		}
		out = appendUint(out, v, size)
	}
}

// parseInteger parses a JSON integer (no fraction, no exponent) into its
// sign and magnitude; ok is false for anything else. A magnitude beyond
// uint64 saturates at math.MaxUint64 with ovf set.
func parseInteger(tok []byte) (neg bool, mag uint64, ovf, ok bool) {
	if len(tok) > 0 && tok[0] == '-' {
		neg, tok = true, tok[1:]
	}
	if len(tok) == 0 {
		return false, 0, false, false
	}
	for _, c := range tok {
		d := uint64(c - '0')
		if c < '0' || c > '9' {
			return false, 0, false, false
		}
		if mag > (math.MaxUint64-d)/10 {
			ovf = true
		}
		mag = mag*10 + d
	}
	if ovf {
		mag = math.MaxUint64
	}
	return neg, mag, ovf, true
}

// appendUint appends the low size bytes of v, little-endian.
func appendUint(b []byte, v uint64, size int) []byte {
	switch size {
	case 1:
		return append(b, byte(v))
	case 2:
		return binary.LittleEndian.AppendUint16(b, uint16(v))
	case 4:
		return binary.LittleEndian.AppendUint32(b, uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(b, v)
	}
}

// decodeFloats decodes number elements of a floating-point datatype. A
// finite number too large for dt is an error, not an infinity.
func decodeFloats(s *dataScanner, dt Datatype, hint int) ([]byte, error) {
	out := make([]byte, 0, hint)
	for {
		tok, err := s.next()
		if err != nil {
			return nil, err
		}
		if tok == nil {
			return out, nil
		}
		if c := tok[0]; c != '-' && (c < '0' || c > '9') {
			return nil, fmt.Errorf("element %d: %s is not a number", s.n-1, clip(tok))
		}
		out, err = appendFloatBits(out, dt, tok)
		if err != nil {
			return nil, fmt.Errorf("element %d: %s %w for %s", s.n-1, clip(tok), err, dt)
		}
	}
}

var errRange = errors.New("out of range")

// appendFloatBits parses the JSON number tok and appends it in dt's format.
func appendFloatBits(b []byte, dt Datatype, tok []byte) ([]byte, error) {
	bits := 64
	if dt == FP32 {
		bits = 32
	}
	f, err := strconv.ParseFloat(string(tok), bits)
	if err != nil {
		return nil, errRange // tok is a JSON number, so only range can fail
	}
	var h, inf uint16
	switch dt {
	case FP32:
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(f))), nil
	case FP64:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(f)), nil
	case FP16:
		h, inf = FP16Bits(f), fp16Inf
	default:
		h, inf = BF16Bits(f), bf16Inf
	}
	if h&0x7fff == inf {
		return nil, errRange
	}
	return binary.LittleEndian.AppendUint16(b, h), nil
}

// decodeStrings decodes string elements into byte slices that share one
// backing array (each capped, so appending to one cannot clobber the next).
func decodeStrings(s *dataScanner, hint int) ([][]byte, error) {
	elems := make([][]byte, 0, hint)
	buf := make([]byte, 0, len(s.b))
	for {
		tok, err := s.next()
		if err != nil {
			return nil, err
		}
		if tok == nil {
			return elems, nil
		}
		if tok[0] != '"' {
			return nil, fmt.Errorf("element %d: %s is not a string", s.n-1, clip(tok))
		}
		start := len(buf)
		if buf, err = appendUnquoted(buf, tok); err != nil {
			return nil, fmt.Errorf("element %d: %w", s.n-1, err)
		}
		elems = append(elems, buf[start:len(buf):len(buf)])
	}
}

// appendUnquoted appends the bytes the JSON string tok (quotes included)
// stands for, decoding escapes and turning invalid UTF-8 and unpaired
// surrogates into U+FFFD exactly as encoding/json does. Strings without
// escapes and in valid UTF-8, the common case, are copied in one go.
func appendUnquoted(b, tok []byte) ([]byte, error) {
	s := tok[1 : len(tok)-1]
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return append(b, s...), nil
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			var n int
			if b, n = appendEscape(b, s[i:]); n == 0 {
				return nil, fmt.Errorf("bad escape in %s", clip(tok))
			}
			i += n
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b = utf8.AppendRune(b, r) // RuneError for invalid bytes
			i += size
		}
	}
	return b, nil
}

// appendEscape decodes the escape sequence at the start of s and appends
// its bytes; n is the length consumed, 0 if the escape is malformed.
func appendEscape(b, s []byte) (_ []byte, n int) {
	if len(s) < 2 {
		return b, 0
	}
	switch s[1] {
	case '"', '\\', '/':
		return append(b, s[1]), 2
	case 'b':
		return append(b, '\b'), 2
	case 'f':
		return append(b, '\f'), 2
	case 'n':
		return append(b, '\n'), 2
	case 'r':
		return append(b, '\r'), 2
	case 't':
		return append(b, '\t'), 2
	case 'u':
		r := hex4(s)
		if r < 0 {
			return b, 0
		}
		if !utf16.IsSurrogate(r) {
			return utf8.AppendRune(b, r), 6
		}
		if pair := utf16.DecodeRune(r, hex4(s[6:])); pair != utf8.RuneError {
			return utf8.AppendRune(b, pair), 12
		}
		return utf8.AppendRune(b, utf8.RuneError), 6
	}
	return b, 0
}

// hex4 decodes the \uXXXX at the start of s, or returns -1.
func hex4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// clip shortens a token for an error message.
func clip(tok []byte) string {
	const maxLen = 32
	if len(tok) > maxLen {
		return string(tok[:maxLen]) + "…"
	}
	return string(tok)
}
