package oip

import "fmt"

// BinaryOutputs says which outputs of a response go back as binary data
// (Triton's binary tensor data extension). The zero value sends every
// output as JSON.
type BinaryOutputs struct {
	// All sends every output as binary data unless Named says otherwise.
	All bool
	// Named overrides All for the outputs it names.
	Named map[string]bool
}

// Binary reports whether the output named name goes as binary data.
func (b BinaryOutputs) Binary(name string) bool {
	if v, ok := b.Named[name]; ok {
		return v
	}
	return b.All
}

// TakeBinaryOutputs removes from r the parameters by which a client asks
// for binary outputs — binary_data_output on the request, binary_data on
// a requested output — and returns what they asked. Those parameters
// concern the client's link only, so they never reach a worker. A value
// that is not a boolean fails with an error matching ErrInvalid that
// names it. The maps of r are modified in place.
func (r *InferenceRequest) TakeBinaryOutputs() (BinaryOutputs, error) {
	var b BinaryOutputs
	var err error
	if b.All, err = takeBool(&r.Parameters, ParamBinaryOutput, "request"); err != nil {
		return BinaryOutputs{}, err
	}
	for i := range r.Outputs {
		o := &r.Outputs[i]
		if _, ok := o.Parameters[ParamBinaryData]; !ok {
			continue
		}
		v, err := takeBool(&o.Parameters, ParamBinaryData, fmt.Sprintf("requested output %q", o.Name))
		if err != nil {
			return BinaryOutputs{}, err
		}
		if b.Named == nil {
			b.Named = make(map[string]bool, len(r.Outputs))
		}
		b.Named[o.Name] = v
	}
	return b, nil
}

// takeBool removes the boolean parameter key from *p and returns it;
// false when absent. A nil map is left nil, an emptied one becomes nil.
func takeBool(p *Parameters, key, where string) (bool, error) {
	v, ok := (*p)[key]
	if !ok {
		return false, nil
	}
	on, isBool := v.(bool)
	if !isBool {
		return false, invalidf("oip: %s: parameter %s: %v is not a boolean", where, key, v)
	}
	delete(*p, key)
	if len(*p) == 0 {
		*p = nil
	}
	return on, nil
}

// EncodeBinaryResponse encodes r for a client that asked for binary
// outputs as b says: the JSON header, in which those outputs carry
// binary_data_size and no data, and the outputs' binary data in order,
// to follow the header in the body. data is nil when no output goes as
// binary; header is then the plain JSON body. Fixed-size outputs' data
// alias r. It fails as MarshalJSON does.
func EncodeBinaryResponse(r *InferenceResponse, b BinaryOutputs) (header []byte, data [][]byte, err error) {
	data = binaryParts(r.Outputs, b.Binary)
	header, err = appendResponse(make([]byte, 0, 64+estimateJSON(r.Outputs, data...)), r, data)
	if err != nil {
		return nil, nil, err
	}
	return header, compact(data), nil
}

// EncodeBinaryRequest encodes r with the inputs for which binary reports
// true as binary data, as EncodeBinaryResponse encodes outputs: the JSON
// header and the binary parts in input order, data nil when no input is
// binary. Fixed-size inputs' data alias r.
func EncodeBinaryRequest(r *InferenceRequest, binary func(name string) bool) (header []byte, data [][]byte, err error) {
	data = binaryParts(r.Inputs, binary)
	header, err = appendRequest(make([]byte, 0, 64+estimateJSON(r.Inputs, data...)), r, data)
	if err != nil {
		return nil, nil, err
	}
	return header, compact(data), nil
}

// binaryParts returns, per tensor, its raw-contents form if binary picks
// it, else nil; nil when it picks none.
func binaryParts(ts []Tensor, binary func(string) bool) [][]byte {
	var parts [][]byte
	for i := range ts {
		if !binary(ts[i].Name) {
			continue
		}
		if parts == nil {
			parts = make([][]byte, len(ts))
		}
		parts[i] = toRaw(&ts[i])
	}
	return parts
}

// compact drops the nil entries of parts, keeping their order; nil when
// none is left.
func compact(parts [][]byte) [][]byte {
	out := parts[:0]
	for _, p := range parts {
		if p != nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
