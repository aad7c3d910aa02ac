package oip

// Datatype is a tensor element type as the protocol spells it ("FP32").
type Datatype string

// The datatypes of the protocol.
const (
	Bool   Datatype = "BOOL"
	Uint8  Datatype = "UINT8"
	Uint16 Datatype = "UINT16"
	Uint32 Datatype = "UINT32"
	Uint64 Datatype = "UINT64"
	Int8   Datatype = "INT8"
	Int16  Datatype = "INT16"
	Int32  Datatype = "INT32"
	Int64  Datatype = "INT64"
	FP16   Datatype = "FP16"
	BF16   Datatype = "BF16"
	FP32   Datatype = "FP32"
	FP64   Datatype = "FP64"
	Bytes  Datatype = "BYTES"
)

// Parameters holds protocol parameters: values are scalars, string, bool,
// int64, uint64 (only above math.MaxInt64 from JSON; any uint64_param from
// gRPC) or float64. Decoded JSON integers are int64, not float64, so they
// travel on to gRPC as int64_param. A nil map is empty.
type Parameters map[string]any

// Tensor is one named input or output tensor.
//
// Exactly one of Raw and Elems holds the elements: Raw for fixed-size
// datatypes (little-endian, row-major, len = elements × Datatype.Size()),
// Elems for BYTES (one slice per element, row-major). Shape lists the
// dimensions; a scalar has an empty shape and one element.
type Tensor struct {
	Name       string
	Datatype   Datatype
	Shape      []int64
	Parameters Parameters
	Raw        []byte
	Elems      [][]byte
}

// RequestedOutput names an output a client wants back.
type RequestedOutput struct {
	Name       string
	Parameters Parameters
}

// InferenceRequest is a predict request. The model name and version travel
// beside it (URL path or gRPC fields), not inside it.
type InferenceRequest struct {
	ID         string
	Parameters Parameters
	Inputs     []Tensor
	// Outputs lists the outputs wanted; empty means all of the model's.
	Outputs []RequestedOutput
}

// InferenceResponse is a predict response.
type InferenceResponse struct {
	ModelName    string
	ModelVersion string
	ID           string
	Parameters   Parameters
	Outputs      []Tensor
}

// TensorMetadata describes one input or output of a model.
type TensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

// ModelMetadata answers GET /v2/models/{model}.
type ModelMetadata struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions,omitempty"`
	Platform string           `json:"platform"`
	Inputs   []TensorMetadata `json:"inputs"`
	Outputs  []TensorMetadata `json:"outputs"`
}

// ServerMetadata answers GET /v2.
type ServerMetadata struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Extensions []string `json:"extensions"`
}

// ErrorBody is the protocol's error response, {"error": "..."}.
type ErrorBody struct {
	Error string `json:"error"`
}
