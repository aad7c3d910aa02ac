package oip

import (
	"fmt"
	"math"
	"strconv"
)

// The names Triton's binary tensor data extension gives its header and
// parameters.
const (
	// HeaderInferenceLength is the HTTP header that carries the length in
	// bytes of the JSON part of a body that has binary tensor data after it.
	HeaderInferenceLength = "Inference-Header-Content-Length"
	// ParamBinarySize, on an input or output, is the size in bytes of the
	// tensor's binary data.
	ParamBinarySize = "binary_data_size"
	// ParamBinaryData, on a requested output, asks for that output as
	// binary data (true) or JSON (false).
	ParamBinaryData = "binary_data"
	// ParamBinaryOutput, on a request, asks for every output as binary data
	// unless a requested output says otherwise.
	ParamBinaryOutput = "binary_data_output"
)

// binarySource hands out the binary part of a body, tensor by tensor.
// A nil *binarySource means the body has no binary part.
type binarySource struct {
	rest []byte
}

// take returns the next n bytes, aliasing the body.
func (s *binarySource) take(n int64) ([]byte, error) {
	if n > int64(len(s.rest)) {
		return nil, fmt.Errorf("%s %d exceeds the %d bytes of binary data left in the body", ParamBinarySize, n, len(s.rest))
	}
	chunk := s.rest[:n:n]
	s.rest = s.rest[n:]
	return chunk, nil
}

// DecodeBinaryRequest decodes a request body framed by Triton's binary
// tensor data extension and validates it: body[:headerLen] is the JSON
// request, and body[headerLen:] holds, in input order, the data of every
// input whose parameters have binary_data_size (that many bytes, as
// Tensor.Raw holds them; BYTES elements each after a 4-byte little-endian
// length). JSON and binary inputs mix freely. headerLen < 0 means the
// whole body is JSON, as DecodeRequest decodes it.
//
// The binary_data_size parameters are removed from the decoded inputs.
// Errors match ErrInvalid and name the input: a header length beyond the
// body, a binary_data_size that is not a non-negative integer, that runs
// past the body, or that does not fit the input's shape and datatype, an
// input with both data and binary_data_size, and bytes left after the last
// binary input. The decoded tensors alias body.
func DecodeBinaryRequest(body []byte, headerLen int64) (*InferenceRequest, error) {
	header, bin, err := splitBody(body, headerLen)
	if err != nil {
		return nil, err
	}
	w, err := decodeWireRequest(header)
	if err != nil {
		return nil, syntaxError("request", err)
	}
	r := newRequest(w)
	if r.Inputs, err = appendTensors(r.Inputs, "input", w.Inputs, bin); err != nil {
		return nil, err
	}
	if err := bin.finish(); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeBinaryResponse decodes a response body framed as
// DecodeBinaryRequest's requests are, with binary outputs, and validates
// it. Errors match ErrInvalid and name the output.
func DecodeBinaryResponse(body []byte, headerLen int64) (*InferenceResponse, error) {
	header, bin, err := splitBody(body, headerLen)
	if err != nil {
		return nil, err
	}
	var w wireResponse
	if err := jsonUnmarshal(header, &w); err != nil {
		return nil, syntaxError("response", err)
	}
	r := &InferenceResponse{ModelName: w.ModelName, ModelVersion: w.ModelVersion, ID: w.ID, Parameters: w.Parameters}
	if r.Outputs, err = decodeTensorsFrom("output", w.Outputs, bin); err != nil {
		return nil, err
	}
	if err := bin.finish(); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// splitBody cuts body into its JSON header and binary part; bin is nil
// when headerLen < 0.
func splitBody(body []byte, headerLen int64) (header []byte, bin *binarySource, err error) {
	if headerLen < 0 {
		return body, nil, nil
	}
	if headerLen > int64(len(body)) {
		return nil, nil, invalidf("oip: %s %d exceeds the body's %d bytes", HeaderInferenceLength, headerLen, len(body))
	}
	return body[:headerLen], &binarySource{rest: body[headerLen:]}, nil
}

// finish fails if binary data is left over.
func (s *binarySource) finish() error {
	if s != nil && len(s.rest) > 0 {
		return invalidf("oip: the body has %d bytes after the binary data of its last binary tensor", len(s.rest))
	}
	return nil
}

// ParseHeaderLength parses the value of HeaderInferenceLength: a
// non-negative decimal integer. Errors match ErrInvalid.
func ParseHeaderLength(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, invalidf("oip: header %s: %q is not a non-negative byte count", HeaderInferenceLength, v)
	}
	return n, nil
}

// binaryTensor fills t from the binary source when its parameters carry
// binary_data_size, and removes that parameter; data is the tensor's JSON
// data member. ok is false when t is not a binary tensor.
func binaryTensor(t *Tensor, data []byte, bin *binarySource) (ok bool, err error) {
	v, has := t.Parameters[ParamBinarySize]
	if !has {
		return false, nil
	}
	size, err := byteCount(v)
	switch {
	case err != nil:
		return true, err
	case bin == nil:
		return true, fmt.Errorf("%s needs the binary tensor data extension, but the request has no %s header", ParamBinarySize, HeaderInferenceLength)
	case len(data) > 0 && string(data) != "null":
		return true, fmt.Errorf("both data and %s are given", ParamBinarySize)
	}
	chunk, err := bin.take(size)
	if err != nil {
		return true, err
	}
	if err := checkBinarySize(t, size); err != nil {
		return true, err
	}
	t.Parameters = without(t.Parameters, ParamBinarySize)
	return true, fromRaw(t, chunk)
}

// byteCount reads a binary_data_size value: a non-negative integer.
func byteCount(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		if n >= 0 {
			return n, nil
		}
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
	}
	return 0, fmt.Errorf("%s %v is not a non-negative integer", ParamBinarySize, v)
}

// checkBinarySize checks that size bytes hold exactly the elements t's
// shape asks for; BYTES, whose elements vary, are checked by Validate.
func checkBinarySize(t *Tensor, size int64) error {
	width := int64(t.Datatype.Size())
	n, ok := elementCount(t.Shape)
	if width == 0 || !ok || n > math.MaxInt64/width {
		return nil // BYTES, or a shape Validate refuses
	}
	if size != n*width {
		return fmt.Errorf("%s %d, but shape %v of %s takes %d bytes", ParamBinarySize, size, t.Shape, t.Datatype, n*width)
	}
	return nil
}

// without returns p less key, sharing nothing with p; nil when nothing
// is left.
func without(p Parameters, key string) Parameters {
	if len(p) <= 1 {
		return nil
	}
	out := make(Parameters, len(p)-1)
	for k, v := range p {
		if k != key {
			out[k] = v
		}
	}
	return out
}
