package gateway

import "net/http"

// httpHeaders reads an HTTP request's headers by the lower-case names the
// gateway's constants use. http.Header.Values canonicalizes its argument
// on every call, which allocates a new string for any name not already
// canonical; the gateway's own names are looked up in their canonical
// form directly.
type httpHeaders http.Header

// values returns every value of the named header.
func (h httpHeaders) values(name string) []string {
	return h[canonicalHeader(name)]
}

// canonicalHeader returns the canonical form of a header name (as
// http.CanonicalHeaderKey does), without allocating for the gateway's
// own headers.
func canonicalHeader(name string) string {
	switch name {
	case HeaderAuthorization:
		return "Authorization"
	case HeaderAPIKey:
		return "X-Api-Key"
	case HeaderPriority:
		return "X-Sluice-Priority"
	case HeaderTimeout:
		return "X-Sluice-Timeout-Ms"
	}
	return http.CanonicalHeaderKey(name)
}
