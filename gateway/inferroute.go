package gateway

import (
	"net/http"
	"strings"
)

// inferRoute serves POST /v2/models/{model}/infer and
// /v2/models/{model}/versions/{version}/infer itself and hands every
// other request to next (chi): routing the one call on the hot path
// through chi costs each call its route context and path values. It
// matches what chi matches for those routes — segments without a slash,
// empty ones too, read from the escaped path when the URL has one — so the
// request reaches the same handler with the same model and version, and
// anything it does not match, chi routes as before.
func (g *Gateway) inferRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if model, version, ok := inferPath(routePath(r)); ok {
				g.serveInfer(w, r, model, version)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// routePath is the path chi routes r by: the escaped path when the URL
// has one, else the path.
func routePath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}

// inferPath returns the model and version (empty when the path names
// none) of an infer path; ok is false for any other path.
func inferPath(path string) (model, version string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/v2/models/")
	if !ok {
		return "", "", false
	}
	if rest, ok = strings.CutSuffix(rest, "/infer"); !ok {
		return "", "", false
	}
	model, version, versioned := strings.Cut(rest, "/versions/")
	if strings.Contains(model, "/") || (versioned && strings.Contains(version, "/")) {
		return "", "", false
	}
	return model, version, true
}
