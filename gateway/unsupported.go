package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/sluice-gateway/sluice/oip"
)

// ErrUnsupported is returned for a call of a protocol extension Sluice
// does not serve (HTTP 400, gRPC UNIMPLEMENTED); the message names the
// extension.
var ErrUnsupported = errors.New("gateway: extension not supported")

// The extensions Sluice refuses, and why.
const (
	whySharedMemory = "the %s shared memory extension is not supported: a gateway does not share the client's memory; send the tensors in the request"
	whyRepository   = "the model repository extension's load and unload are not supported: Sluice serves the models of its configuration (reload it to change them)"
	whyTrace        = "the trace extension is not supported: Sluice traces with OpenTelemetry (OTEL_* variables)"
	whyLogging      = "the logging extension is not supported: Sluice's log level is set when it starts"
	whyGenerate     = "the generate extension is not supported: call POST /v2/models/{model}/infer"
	whyKServeV1     = "KServe's v1 protocol is not supported: Sluice speaks the Open Inference Protocol v2 (/v2/...); set the client's protocol to v2"
)

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupported}, args...)...)
}

// unsupportedHTTP answers the endpoints of the extensions Sluice does not
// serve, and those of KServe's v1 protocol, with 400 and a message naming
// the extension or the protocol.
func (g *Gateway) unsupportedHTTP(r chi.Router) {
	refuse := func(err error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { g.fail(w, r, err) }
	}
	for kind, prefix := range map[string]string{"system": "/v2/systemsharedmemory", "CUDA": "/v2/cudasharedmemory"} {
		r.HandleFunc(prefix+"/*", refuse(unsupported(whySharedMemory, kind)))
	}
	r.HandleFunc("/v2/repository/models/{model}/load", refuse(unsupported(whyRepository)))
	r.HandleFunc("/v2/repository/models/{model}/unload", refuse(unsupported(whyRepository)))
	r.HandleFunc("/v2/trace/setting", refuse(unsupported(whyTrace)))
	r.HandleFunc("/v2/models/{model}/trace/setting", refuse(unsupported(whyTrace)))
	r.HandleFunc("/v2/logging", refuse(unsupported(whyLogging)))
	for _, prefix := range []string{"/v2/models/{model}", "/v2/models/{model}/versions/{version}"} {
		r.HandleFunc(prefix+"/generate", refuse(unsupported(whyGenerate)))
		r.HandleFunc(prefix+"/generate_stream", refuse(unsupported(whyGenerate)))
	}
	r.HandleFunc("/v1/*", refuse(unsupported(whyKServeV1)))
}

// checkSupported refuses a request that asks for what Sluice does not
// serve: tensors in shared memory.
func checkSupported(req *oip.InferenceRequest) error {
	for i := range req.Inputs {
		if _, ok := req.Inputs[i].Parameters["shared_memory_region"]; ok {
			return fmt.Errorf("input %q: %w", req.Inputs[i].Name, unsupported(whySharedMemory, "system or CUDA"))
		}
	}
	for _, o := range req.Outputs {
		if _, ok := o.Parameters["shared_memory_region"]; ok {
			return fmt.Errorf("requested output %q: %w", o.Name, unsupported(whySharedMemory, "system or CUDA"))
		}
	}
	return nil
}

// maxSmallBody bounds the bodies of the small JSON requests beside
// inference (repository index).
const maxSmallBody = 64 << 10

// decodeSmallJSON decodes an optional small JSON body into v; an empty
// body leaves v as it is. Errors match oip.ErrInvalid.
func decodeSmallJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxSmallBody))
	if err != nil {
		return fmt.Errorf("%w: reading the body: %w", oip.ErrInvalid, err)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %w", oip.ErrInvalid, err)
	}
	return nil
}
