package router

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/sluice-gateway/sluice/oip"
)

// extBinaryTensors is the name under which a worker's GET /v2 lists
// Triton's binary tensor data extension.
const extBinaryTensors = "binary_tensor_data"

// httpCodec encodes a batch for a worker's HTTP endpoint and decodes its
// answer: jsonCodec, the protocol's JSON body that every OIP server
// speaks, or binaryCodec, Triton's binary tensor data extension, chosen
// per worker from the extensions its GET /v2 lists.
type httpCodec interface {
	// encode returns the body of req and the headers the body needs,
	// Content-Type among them. It does not modify req.
	encode(req *oip.InferenceRequest) (body []byte, header http.Header, err error)
	// decode reads an answer of status 200 with its headers.
	decode(header http.Header, body []byte) (*oip.InferenceResponse, error)
}

var (
	_ httpCodec = jsonCodec{}
	_ httpCodec = binaryCodec{}
)

// jsonCodec is the protocol's JSON body, tensors' data flat.
type jsonCodec struct{}

func (jsonCodec) encode(req *oip.InferenceRequest) ([]byte, http.Header, error) {
	body, err := req.MarshalJSON()
	if err != nil {
		return nil, nil, err
	}
	return body, http.Header{"Content-Type": {"application/json"}}, nil
}

func (jsonCodec) decode(header http.Header, body []byte) (*oip.InferenceResponse, error) {
	return decodeAnswer(header, body)
}

// binaryCodec sends every input as binary data after the JSON header,
// its length in Inference-Header-Content-Length, and asks for every
// output as binary data (binary_data_output).
type binaryCodec struct{}

func (binaryCodec) encode(req *oip.InferenceRequest) ([]byte, http.Header, error) {
	asked := *req
	asked.Parameters = maps.Clone(req.Parameters)
	if asked.Parameters == nil {
		asked.Parameters = oip.Parameters{}
	}
	asked.Parameters[oip.ParamBinaryOutput] = true
	head, parts, err := oip.EncodeBinaryRequest(&asked, func(string) bool { return true })
	if err != nil {
		return nil, nil, err
	}
	size := len(head)
	for _, p := range parts {
		size += len(p)
	}
	body := append(make([]byte, 0, size), head...)
	for _, p := range parts {
		body = append(body, p...)
	}
	return body, http.Header{
		"Content-Type":            {"application/octet-stream"},
		oip.HeaderInferenceLength: {strconv.Itoa(len(head))},
	}, nil
}

func (binaryCodec) decode(header http.Header, body []byte) (*oip.InferenceResponse, error) {
	return decodeAnswer(header, body)
}

// decodeAnswer decodes a response body: binary outputs after a JSON
// header when the answer has an Inference-Header-Content-Length, else
// JSON alone. Outputs alias body.
func decodeAnswer(header http.Header, body []byte) (*oip.InferenceResponse, error) {
	v := header.Get(oip.HeaderInferenceLength)
	if v == "" {
		return oip.DecodeResponse(body)
	}
	n, err := oip.ParseHeaderLength(v)
	if err != nil {
		return nil, err
	}
	return oip.DecodeBinaryResponse(body, n)
}

// codecFor returns the codec of the worker's batches. The first batch
// asks GET /v2 for the extensions the worker lists, and the answer holds
// for the link's life; a worker that could not be reached is asked again
// by the next batch, which meanwhile goes as JSON. A worker without
// GET /v2, or whose answer is not server metadata, gets JSON.
func (l *httpLink) codecFor(ctx context.Context) httpCodec {
	if c := l.codec.Load(); c != nil {
		return *c
	}
	c, known := l.negotiate(ctx)
	if known {
		l.codec.Store(&c)
	}
	return c
}

// negotiate asks GET /v2 which codec the worker takes; known is false
// when it did not answer.
func (l *httpLink) negotiate(ctx context.Context) (c httpCodec, known bool) {
	a, err := l.get(ctx, "/v2")
	if err != nil {
		return jsonCodec{}, false
	}
	var md oip.ServerMetadata
	if a.status != http.StatusOK || json.Unmarshal(a.body, &md) != nil {
		return jsonCodec{}, true
	}
	if slices.Contains(md.Extensions, extBinaryTensors) {
		return binaryCodec{}, true
	}
	return jsonCodec{}, true
}
