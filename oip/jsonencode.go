package oip

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// MarshalJSON encodes r as the protocol's JSON request body, data flat:
// {"id","parameters","inputs":[{"name","shape","datatype","parameters",
// "data"}],"outputs":[{"name","parameters"}]}, leaving out an empty id,
// empty parameters and empty outputs. A NaN or infinite floating-point
// element fails with an error matching ErrUnrepresentable; storage
// inconsistent with a datatype, with one matching ErrInvalid.
func (r *InferenceRequest) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return appendRequest(make([]byte, 0, 64+estimateJSON(r.Inputs)), r, nil)
}

// appendRequest appends r as MarshalJSON encodes it, but for the inputs
// whose entry in binary is not nil, as appendResponse does for outputs.
func appendRequest(b []byte, r *InferenceRequest, binary [][]byte) ([]byte, error) {
	b = append(b, '{')
	if r.ID != "" {
		b = appendQuoted(append(b, `"id":`...), r.ID)
		b = append(b, ',')
	}
	b, err := appendParamsMember(b, r.Parameters)
	if err != nil {
		return nil, err
	}
	if b, err = appendTensorsBinary(append(b, `"inputs":`...), "input", r.Inputs, binary); err != nil {
		return nil, err
	}
	if len(r.Outputs) > 0 {
		if b, err = appendRequested(append(b, `,"outputs":`...), r.Outputs); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// MarshalJSON encodes r as the protocol's JSON response body, data flat:
// {"model_name","model_version","id","parameters","outputs":[...]},
// leaving out an empty model_version, id and parameters. It fails as
// InferenceRequest.MarshalJSON does.
func (r *InferenceResponse) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return appendResponse(make([]byte, 0, 64+estimateJSON(r.Outputs)), r, nil)
}

// appendResponse appends r as MarshalJSON encodes it, but for the outputs
// whose entry in binary is not nil: those carry binary_data_size instead
// of data. A nil binary sends every output as JSON.
func appendResponse(b []byte, r *InferenceResponse, binary [][]byte) ([]byte, error) {
	b = appendQuoted(append(b, `{"model_name":`...), r.ModelName)
	b = append(b, ',')
	if r.ModelVersion != "" {
		b = appendQuoted(append(b, `"model_version":`...), r.ModelVersion)
		b = append(b, ',')
	}
	if r.ID != "" {
		b = appendQuoted(append(b, `"id":`...), r.ID)
		b = append(b, ',')
	}
	b, err := appendParamsMember(b, r.Parameters)
	if err != nil {
		return nil, err
	}
	if b, err = appendTensorsBinary(append(b, `"outputs":`...), "output", r.Outputs, binary); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// estimateJSON guesses the encoded size of ts's data, to size the buffer.
// A tensor whose part in binary is not nil travels as binary data: only
// its name and shape are in the JSON; binary is nil when none does.
func estimateJSON(ts []Tensor, binary ...[]byte) int {
	n := 0
	for i := range ts {
		if i < len(binary) && binary[i] != nil {
			n += 64 + len(ts[i].Name) + 20*len(ts[i].Shape)
			continue
		}
		n += 64 + 12*len(ts[i].Raw)/max(ts[i].Datatype.Size(), 1)
		for _, e := range ts[i].Elems {
			n += len(e) + 3
		}
	}
	return n
}

// appendParamsMember appends `"parameters":{...},` unless p is empty.
func appendParamsMember(b []byte, p Parameters) ([]byte, error) {
	if len(p) == 0 {
		return b, nil
	}
	b, err := appendParameters(append(b, `"parameters":`...), p)
	if err != nil {
		return nil, err
	}
	return append(b, ','), nil
}

func appendRequested(b []byte, outs []RequestedOutput) ([]byte, error) {
	b = append(b, '[')
	for i, o := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(append(b, `{"name":`...), o.Name)
		if len(o.Parameters) > 0 {
			var err error
			if b, err = appendParameters(append(b, `,"parameters":`...), o.Parameters); err != nil {
				return nil, fmt.Errorf("oip: requested output %q: %w", o.Name, err)
			}
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendTensorsBinary appends ts as a JSON array, the tensors whose entry
// in binary is not nil with binary_data_size instead of data.
func appendTensorsBinary(b []byte, role string, ts []Tensor, binary [][]byte) ([]byte, error) {
	b = append(b, '[')
	for i := range ts {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if i < len(binary) && binary[i] != nil {
			b, err = appendBinaryTensor(b, &ts[i], int64(len(binary[i])))
		} else {
			b, err = appendTensor(b, &ts[i])
		}
		if err != nil {
			return nil, fmt.Errorf("oip: %s %q: %w", role, ts[i].Name, err)
		}
	}
	return append(b, ']'), nil
}

func appendTensor(b []byte, t *Tensor) ([]byte, error) {
	b = appendTensorHead(b, t)
	if len(t.Parameters) > 0 {
		var err error
		if b, err = appendParameters(append(b, `,"parameters":`...), t.Parameters); err != nil {
			return nil, err
		}
	}
	b, err := appendData(append(b, `,"data":[`...), t)
	if err != nil {
		return nil, err
	}
	return append(b, "]}"...), nil
}

// appendBinaryTensor appends t's JSON description with its parameters and
// binary_data_size, and no data.
func appendBinaryTensor(b []byte, t *Tensor, size int64) ([]byte, error) {
	b = appendTensorHead(b, t)
	params := make(Parameters, len(t.Parameters)+1)
	for k, v := range t.Parameters {
		params[k] = v
	}
	params[ParamBinarySize] = size
	b, err := appendParameters(append(b, `,"parameters":`...), params)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendTensorHead appends `{"name":…,"datatype":…,"shape":[…]`.
func appendTensorHead(b []byte, t *Tensor) []byte {
	b = appendQuoted(append(b, `{"name":`...), t.Name)
	b = appendQuoted(append(b, `,"datatype":`...), string(t.Datatype))
	b = append(b, `,"shape":[`...)
	for i, d := range t.Shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, d, 10)
	}
	return append(b, ']')
}

// appendData appends t's elements, comma-separated, in JSON form.
func appendData(b []byte, t *Tensor) ([]byte, error) {
	if !t.Datatype.Valid() {
		return nil, invalidf("unknown datatype %q", t.Datatype)
	}
	if _, err := storedElements(t); err != nil {
		return nil, invalidf("%w", err)
	}
	if t.Datatype == Bytes {
		for i, e := range t.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, e)
		}
		return b, nil
	}
	size := t.Datatype.Size()
	for i := 0; i < len(t.Raw); i += size {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendElement(b, t.Datatype, t.Raw[i:i+size]); err != nil {
			return nil, fmt.Errorf("element %d: %w", i/size, err)
		}
	}
	return b, nil
}

// appendElement appends the one element e (len(e) == dt.Size()) as JSON.
func appendElement(b []byte, dt Datatype, e []byte) ([]byte, error) {
	switch dt {
	case Bool:
		return strconv.AppendBool(b, e[0] != 0), nil
	case Uint8:
		return strconv.AppendUint(b, uint64(e[0]), 10), nil
	case Uint16:
		return strconv.AppendUint(b, uint64(binary.LittleEndian.Uint16(e)), 10), nil
	case Uint32:
		return strconv.AppendUint(b, uint64(binary.LittleEndian.Uint32(e)), 10), nil
	case Uint64:
		return strconv.AppendUint(b, binary.LittleEndian.Uint64(e), 10), nil
	case Int8:
		return strconv.AppendInt(b, int64(int8(e[0])), 10), nil
	case Int16:
		return strconv.AppendInt(b, int64(int16(binary.LittleEndian.Uint16(e))), 10), nil
	case Int32:
		return strconv.AppendInt(b, int64(int32(binary.LittleEndian.Uint32(e))), 10), nil
	case Int64:
		return strconv.AppendInt(b, int64(binary.LittleEndian.Uint64(e)), 10), nil
	case FP16:
		return appendFinite(b, FP16Value(binary.LittleEndian.Uint16(e)), 32)
	case BF16:
		return appendFinite(b, BF16Value(binary.LittleEndian.Uint16(e)), 32)
	case FP32:
		return appendFinite(b, float64(math.Float32frombits(binary.LittleEndian.Uint32(e))), 32)
	default:
		return appendFinite(b, math.Float64frombits(binary.LittleEndian.Uint64(e)), 64)
	}
}

// appendFinite appends f formatted as a float of the given bits (every
// FP16 and BF16 value is a float32), failing for NaN and infinities.
func appendFinite(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, unrepresentablef("%v is not representable in JSON", f)
	}
	return appendFloat(b, f, bits), nil
}

// appendFloat formats f as encoding/json does: shortest round-trip digits,
// exponent form only for very small or large magnitudes.
func appendFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' { // clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendQuoted appends s as a JSON string, escaped as encoding/json does
// with HTML escaping off: invalid UTF-8 becomes U+FFFD, and U+2028 and
// U+2029 are escaped.
func appendQuoted[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is pending, to be copied as it is
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = appendEscapedASCII(append(b, s[start:i]...), c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendEscapedASCII appends the JSON escape of a quote, a backslash or a
// control character.
func appendEscapedASCII(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	default:
		return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
	}
}
