package router

import "path"

// Matches reports whether a request with facts f meets every condition
// of m. A malformed Model glob matches nothing.
func (m Match) Matches(f Facts) bool {
	if m.Model != "" {
		if ok, err := path.Match(m.Model, f.Model); err != nil || !ok {
			return false
		}
	}
	if f.Elements < m.MinElements || f.Bytes < m.MinBytes {
		return false
	}
	if m.Priority != nil && *m.Priority != f.Priority {
		return false
	}
	return m.headersMatch(f.Header)
}

// headersMatch reports whether every header condition holds; a nil header
// (an untrusted caller) meets none.
func (m Match) headersMatch(header func(string) string) bool {
	if len(m.Header) == 0 {
		return true
	}
	if header == nil {
		return false
	}
	for k, v := range m.Header {
		if header(k) != v {
			return false
		}
	}
	return true
}

// tierOf returns the tier of the first route that matches f, or def when
// none does.
func tierOf(routes []Route, f Facts, def string) string {
	for _, r := range routes {
		if r.Match.Matches(f) {
			return r.Tier
		}
	}
	return def
}
