package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestInferPathMatchesChi routes each path through chi with the infer
// routes the handler registers, and checks that inferPath takes exactly
// the paths chi sends to them, with the same model and version.
func TestInferPathMatchesChi(t *testing.T) {
	paths := []string{
		"/v2/models/sum/infer",
		"/v2/models/sum/versions/2/infer",
		"/v2/models/versions/infer",
		"/v2/models/versions/versions/versions/infer",
		"/v2/models/a%2Fb/infer",
		"/v2/models/a%20b/versions/v%2F1/infer",
		"/v2/models/a.b-c_d/infer",
		"/v2/models//infer",
		"/v2/models//versions/1/infer",
		"/v2/models/versions/1/infer",
		"/v2/models/sum/versions//infer",
		"/v2/models/sum/infer/",
		"/v2/models/sum/infer/x",
		"/v2/models/sum/x/infer",
		"/v2/models/sum/versions/1/x/infer",
		"/v2/models/sum/versions/1/versions/2/infer",
		"/v2/models/infer",
		"/v2/models/sum/ready",
		"/v2/model/sum/infer",
		"/v2/models/sum/inference",
		"/v2/models/sum/generate",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			type route struct {
				model, version string
				ok             bool
			}
			var chiRoute route
			r := chi.NewRouter()
			for _, p := range []string{"/v2/models/{model}/infer", "/v2/models/{model}/versions/{version}/infer"} {
				r.Post(p, func(_ http.ResponseWriter, r *http.Request) {
					chiRoute = route{chi.URLParam(r, "model"), chi.URLParam(r, "version"), true}
				})
			}
			req := httptest.NewRequest(http.MethodPost, path, nil)
			r.ServeHTTP(httptest.NewRecorder(), req)
			var got route
			got.model, got.version, got.ok = inferPath(routePath(req))
			if got != chiRoute {
				t.Errorf("inferPath = %+v, chi routes %+v", got, chiRoute)
			}
		})
	}
}
