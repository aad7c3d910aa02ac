package oip

import (
	"encoding/json"
	"errors"
	"reflect"
)

// The wire structs mirror the JSON bodies. encoding/json parses everything
// but the tensors' "data", which rawJSON captures unparsed for decodeData.
type (
	wireRequest struct {
		ID         string       `json:"id"`
		Parameters Parameters   `json:"parameters"`
		Inputs     []wireTensor `json:"inputs"`
		Outputs    []wireOutput `json:"outputs"`
	}
	wireResponse struct {
		ModelName    string       `json:"model_name"`
		ModelVersion string       `json:"model_version"`
		ID           string       `json:"id"`
		Parameters   Parameters   `json:"parameters"`
		Outputs      []wireTensor `json:"outputs"`
	}
	wireTensor struct {
		Name       string     `json:"name"`
		Shape      []int64    `json:"shape"`
		Datatype   string     `json:"datatype"`
		Parameters Parameters `json:"parameters"`
		Data       rawJSON    `json:"data"`
	}
	wireOutput struct {
		Name       string     `json:"name"`
		Parameters Parameters `json:"parameters"`
	}
)

// rawJSON holds a JSON value without copying it: it aliases the buffer
// being decoded, so it must be consumed before the enclosing UnmarshalJSON
// returns.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

// UnmarshalJSON decodes the protocol's JSON request body into r. Tensor
// data may be flat or nested arrays (flattened in row-major order) or, for
// a scalar, a bare value; BOOL elements are true/false, BYTES elements
// strings (their UTF-8 bytes), integers are range-checked for their
// datatype, and floating-point numbers too large for theirs are rejected.
// Unknown members are ignored. Errors match ErrInvalid and name the input.
//
// Decoding checks each element but not the request as a whole (element
// counts against shapes, unique names): call Validate for that. On error r
// is unchanged. Through json.Unmarshal, malformed JSON is reported by
// encoding/json itself, without ErrInvalid: front ends should call
// DecodeRequest, which also saves json.Unmarshal's extra syntax pass.
func (r *InferenceRequest) UnmarshalJSON(b []byte) error {
	w, err := decodeWireRequest(b)
	if err != nil {
		return syntaxError("request", err)
	}
	inputs, err := decodeTensors("input", w.Inputs)
	if err != nil {
		return err
	}
	*r = InferenceRequest{ID: w.ID, Parameters: w.Parameters, Inputs: inputs, Outputs: requestedOutputs(w.Outputs)}
	return nil
}

// requestWithInput is a request with room for one input in its own
// allocation: most requests have one.
type requestWithInput struct {
	InferenceRequest
	input [1]Tensor
}

// newRequest returns the request of w, its inputs not yet decoded:
// Inputs is empty, with room for w's.
func newRequest(w wireRequest) *InferenceRequest {
	var r *InferenceRequest
	if len(w.Inputs) == 1 {
		h := &requestWithInput{}
		h.Inputs = h.input[:0:1]
		r = &h.InferenceRequest
	} else {
		r = &InferenceRequest{Inputs: make([]Tensor, 0, len(w.Inputs))}
	}
	r.ID, r.Parameters, r.Outputs = w.ID, w.Parameters, requestedOutputs(w.Outputs)
	return r
}

// requestedOutputs converts the wire's requested outputs; nil for none.
func requestedOutputs(ws []wireOutput) []RequestedOutput {
	if len(ws) == 0 {
		return nil
	}
	outputs := make([]RequestedOutput, len(ws))
	for i, o := range ws {
		outputs[i] = RequestedOutput(o)
	}
	return outputs
}

// jsonUnmarshal is json.Unmarshal, named so that the binary decoder and
// the JSON decoders read the wire structs alike.
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// UnmarshalJSON decodes the protocol's JSON response body into r, with the
// element rules and error behaviour of InferenceRequest.UnmarshalJSON;
// errors name the output. Call Validate to check the response as a whole;
// call DecodeResponse to have malformed JSON match ErrInvalid too.
func (r *InferenceResponse) UnmarshalJSON(b []byte) error {
	var w wireResponse
	if err := json.Unmarshal(b, &w); err != nil {
		return syntaxError("response", err)
	}
	outputs, err := decodeTensors("output", w.Outputs)
	if err != nil {
		return err
	}
	*r = InferenceResponse{
		ModelName: w.ModelName, ModelVersion: w.ModelVersion, ID: w.ID,
		Parameters: w.Parameters, Outputs: outputs,
	}
	return nil
}

// DecodeRequest decodes a JSON request body as
// InferenceRequest.UnmarshalJSON does and then validates it. Every error,
// malformed JSON included, matches ErrInvalid.
func DecodeRequest(body []byte) (*InferenceRequest, error) {
	w, err := decodeWireRequest(body)
	if err != nil {
		return nil, syntaxError("request", err)
	}
	r := newRequest(w)
	if r.Inputs, err = appendTensors(r.Inputs, "input", w.Inputs, nil); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeResponse decodes a JSON response body as
// InferenceResponse.UnmarshalJSON does and then validates it. Every error,
// malformed JSON included, matches ErrInvalid.
func DecodeResponse(body []byte) (*InferenceResponse, error) {
	r := &InferenceResponse{}
	if err := r.UnmarshalJSON(body); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeTensors converts wire tensors, parsing their data; role ("input"
// or "output") names them in errors.
func decodeTensors(role string, ws []wireTensor) ([]Tensor, error) {
	return decodeTensorsFrom(role, ws, nil)
}

// decodeTensorsFrom converts wire tensors, taking the data of those with
// binary_data_size from bin (nil: the body has no binary part) and parsing
// the others' JSON data.
func decodeTensorsFrom(role string, ws []wireTensor, bin *binarySource) ([]Tensor, error) {
	return appendTensors(make([]Tensor, 0, len(ws)), role, ws, bin)
}

// appendTensors appends the tensors decodeTensorsFrom converts to ts.
func appendTensors(ts []Tensor, role string, ws []wireTensor, bin *binarySource) ([]Tensor, error) {
	for i := range ws {
		w := &ws[i]
		t := Tensor{Name: w.Name, Datatype: Datatype(w.Datatype), Shape: w.Shape, Parameters: w.Parameters}
		if t.Shape == nil {
			t.Shape = []int64{}
		}
		if !t.Datatype.Valid() {
			return nil, invalidf("oip: %s %q: unknown datatype %q", role, t.Name, w.Datatype)
		}
		isBinary, err := binaryTensor(&t, w.Data, bin)
		if err == nil && !isBinary {
			err = decodeData(&t, w.Data)
		}
		if err != nil {
			return nil, invalidf("oip: %s %q: %w", role, t.Name, err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// syntaxError wraps an encoding/json error about a body (what: "request"
// or "response") so that it matches ErrInvalid and names the member at
// fault in protocol terms rather than Go ones.
func syntaxError(what string, err error) error {
	if errors.Is(err, ErrInvalid) {
		return err // from Parameters.UnmarshalJSON, already explained
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return invalidf("oip: decode %s: %s: JSON %s where %s belongs", what, te.Field, te.Value, jsonType(te.Type.Kind()))
	}
	return invalidf("oip: decode %s: %w", what, err)
}

// jsonType names the JSON form a Go kind decodes from.
func jsonType(k reflect.Kind) string {
	switch k {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Float32, reflect.Float64:
		return "a number"
	default:
		return "an integer"
	}
}
