package oip

import (
	"fmt"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// RequestFromProto converts a gRPC ModelInferRequest. Inputs may carry
// their elements in typed contents or in raw_input_contents (one entry per
// input; BYTES elements each prefixed by a 4-byte little-endian length, as
// Triton sends them), not both; FP16 and BF16 only in raw form. Typed
// integers are range-checked for their datatype. The model name and
// version stay in m.
//
// Like UnmarshalJSON it checks elements, not the request as a whole: call
// Validate. Errors match ErrInvalid and name the input. The result aliases
// m's shapes, raw contents and BYTES elements; m must not be modified
// while it is in use.
func RequestFromProto(m *inferencepb.ModelInferRequest) (*InferenceRequest, error) {
	if m == nil {
		return nil, invalidf("oip: nil ModelInferRequest")
	}
	raw := m.GetRawInputContents()
	if len(raw) > 0 && len(raw) != len(m.GetInputs()) {
		return nil, invalidf("oip: request has %d inputs but %d raw_input_contents", len(m.GetInputs()), len(raw))
	}
	r := &InferenceRequest{ID: m.GetId(), Parameters: paramsFromProto(m.GetParameters())}
	r.Inputs = make([]Tensor, len(m.GetInputs()))
	for i, in := range m.GetInputs() {
		t, err := tensorFromProto("input", in.GetName(), in.GetDatatype(), in.GetShape(), in.GetParameters(), in.GetContents(), rawAt(raw, i))
		if err != nil {
			return nil, err
		}
		r.Inputs[i] = t
	}
	if outs := m.GetOutputs(); len(outs) > 0 {
		r.Outputs = make([]RequestedOutput, len(outs))
		for i, o := range outs {
			r.Outputs[i] = RequestedOutput{Name: o.GetName(), Parameters: paramsFromProto(o.GetParameters())}
		}
	}
	return r, nil
}

// ResponseFromProto converts a gRPC ModelInferResponse, accepting typed
// contents or raw_output_contents as RequestFromProto accepts them for
// inputs. Errors match ErrInvalid and name the output; call Validate to
// check the response as a whole. The result aliases m as RequestFromProto's
// does.
func ResponseFromProto(m *inferencepb.ModelInferResponse) (*InferenceResponse, error) {
	if m == nil {
		return nil, invalidf("oip: nil ModelInferResponse")
	}
	raw := m.GetRawOutputContents()
	if len(raw) > 0 && len(raw) != len(m.GetOutputs()) {
		return nil, invalidf("oip: response has %d outputs but %d raw_output_contents", len(m.GetOutputs()), len(raw))
	}
	r := &InferenceResponse{
		ModelName: m.GetModelName(), ModelVersion: m.GetModelVersion(), ID: m.GetId(),
		Parameters: paramsFromProto(m.GetParameters()),
	}
	r.Outputs = make([]Tensor, len(m.GetOutputs()))
	for i, o := range m.GetOutputs() {
		t, err := tensorFromProto("output", o.GetName(), o.GetDatatype(), o.GetShape(), o.GetParameters(), o.GetContents(), rawAt(raw, i))
		if err != nil {
			return nil, err
		}
		r.Outputs[i] = t
	}
	return r, nil
}

// rawAt returns raw[i], or nil when raw contents are not in use.
func rawAt(raw [][]byte, i int) []byte {
	if len(raw) == 0 {
		return nil
	}
	if raw[i] == nil {
		return []byte{}
	}
	return raw[i]
}

// tensorFromProto builds a tensor from the fields common to the proto's
// input and output tensors. raw is nil unless raw contents are in use.
func tensorFromProto(role, name, dt string, shape []int64, params map[string]*inferencepb.InferParameter,
	c *inferencepb.InferTensorContents, raw []byte,
) (Tensor, error) {
	t := Tensor{Name: name, Datatype: Datatype(dt), Shape: shape, Parameters: paramsFromProto(params)}
	if t.Shape == nil {
		t.Shape = []int64{}
	}
	if !t.Datatype.Valid() {
		return Tensor{}, invalidf("oip: %s %q: unknown datatype %q", role, name, dt)
	}
	var err error
	switch {
	case raw != nil && hasContents(c):
		err = fmt.Errorf("both contents and raw contents are set")
	case raw != nil:
		err = fromRaw(&t, raw)
	default:
		err = fromContents(&t, c)
	}
	if err != nil {
		return Tensor{}, invalidf("oip: %s %q: %w", role, name, err)
	}
	return t, nil
}

// RequestToProto converts r to a gRPC ModelInferRequest for model and
// version (empty lets the server choose), carrying every input's elements
// in raw_input_contents. The message aliases r's shapes and fixed-size raw
// data; r must not be modified while the message is in use. Parameter
// values of types other than string, bool, integers and floats travel as
// their fmt.Sprint string.
func RequestToProto(model, version string, r *InferenceRequest) *inferencepb.ModelInferRequest {
	m := &inferencepb.ModelInferRequest{
		ModelName: model, ModelVersion: version, Id: r.ID,
		Parameters: paramsToProto(r.Parameters),
	}
	m.Inputs = make([]*inferencepb.ModelInferRequest_InferInputTensor, len(r.Inputs))
	m.RawInputContents = make([][]byte, len(r.Inputs))
	for i := range r.Inputs {
		t := &r.Inputs[i]
		m.Inputs[i] = &inferencepb.ModelInferRequest_InferInputTensor{
			Name: t.Name, Datatype: string(t.Datatype), Shape: t.Shape,
			Parameters: paramsToProto(t.Parameters),
		}
		m.RawInputContents[i] = toRaw(t)
	}
	for _, o := range r.Outputs {
		m.Outputs = append(m.Outputs, &inferencepb.ModelInferRequest_InferRequestedOutputTensor{
			Name: o.Name, Parameters: paramsToProto(o.Parameters),
		})
	}
	return m
}

// ResponseToProto converts r to a gRPC ModelInferResponse carrying every
// output's elements in raw_output_contents, aliasing r as RequestToProto
// does.
func ResponseToProto(r *InferenceResponse) *inferencepb.ModelInferResponse {
	m := &inferencepb.ModelInferResponse{
		ModelName: r.ModelName, ModelVersion: r.ModelVersion, Id: r.ID,
		Parameters: paramsToProto(r.Parameters),
	}
	m.Outputs = make([]*inferencepb.ModelInferResponse_InferOutputTensor, len(r.Outputs))
	m.RawOutputContents = make([][]byte, len(r.Outputs))
	for i := range r.Outputs {
		t := &r.Outputs[i]
		m.Outputs[i] = &inferencepb.ModelInferResponse_InferOutputTensor{
			Name: t.Name, Datatype: string(t.Datatype), Shape: t.Shape,
			Parameters: paramsToProto(t.Parameters),
		}
		m.RawOutputContents[i] = toRaw(t)
	}
	return m
}
