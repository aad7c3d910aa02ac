package app

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
)

// errAdminForbidden starts the answer to an admin request refused by
// adminGuard.
var errAdminForbidden = errors.New("sluice: admin API: refused")

// adminGuard refuses the admin requests a web page could make a browser
// send: the admin API needs no token on loopback, so without it any page
// open on the machine could shed traffic or reload the configuration.
// Its zero value refuses every Host; build it with newAdminGuard.
type adminGuard struct {
	// ip and port are the listener's bound address; an unspecified ip
	// (0.0.0.0, ::) binds every interface.
	ip   net.IP
	port string
	// hosts are the names operators reach it by, as host or host:port
	// (configs.Admin.AllowedHosts).
	hosts []string
}

// newAdminGuard returns the guard of an admin listener bound to addr
// that also answers to the names of allowed.
func newAdminGuard(addr net.Addr, allowed []string) adminGuard {
	g := adminGuard{hosts: allowed}
	if addr == nil {
		return g
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err == nil {
		g.ip, g.port = net.ParseIP(host), port
	}
	return g
}

// wrap answers 403 and a JSON error, without calling next, to a request
// whose Host is not the listener's (allowedHost: DNS rebinding), whose
// Origin is not the listener's own, that a browser marks as sent from
// another site, or a POST without "Content-Type: application/json" — a
// page can send a POST of a form or of text/plain to another origin
// without asking, but neither a JSON one nor a PUT, PATCH or DELETE: the
// browser asks the server first (CORS preflight), which this one never
// consents to.
func (g adminGuard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := g.refusal(r); why != "" {
			writeAdminError(w, http.StatusForbidden, fmt.Errorf("%w: %s", errAdminForbidden, why))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refusal returns why r is refused, or "".
func (g adminGuard) refusal(r *http.Request) string {
	if !g.allowedHost(r.Host) {
		return fmt.Sprintf("Host %q is not this listener's address; add it to admin.allowed_hosts if operators use that name", r.Host)
	}
	if o := r.Header.Get("Origin"); o != "" && o != ownOrigin(r) {
		return fmt.Sprintf("Origin %q is not this listener's own", o)
	}
	if !changesState(r.Method) {
		return ""
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return fmt.Sprintf("a %s request from another site (Sec-Fetch-Site %q)", r.Method, site)
	}
	if r.Method != http.MethodPost {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fmt.Sprintf("a %s request must send Content-Type: application/json", r.Method)
	}
	return ""
}

// ownOrigin is the origin of the listener r reached, by its Host.
func ownOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// changesState reports whether a request of method may change state.
func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// allowedHost reports whether a Host header names this listener: its
// port with an IP address of the listener (any, when it binds every
// interface; any loopback one when it is on loopback), or localhost on
// loopback; or one of the allowed names (any port unless the entry names
// one).
func (g adminGuard) allowedHost(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, a := range g.hosts {
		if ah, ap, err := net.SplitHostPort(a); err == nil {
			if strings.EqualFold(ah, host) && ap == port {
				return true
			}
		} else if strings.EqualFold(strings.Trim(a, "[]"), host) {
			return true
		}
	}
	if g.ip == nil || port != g.port {
		return false
	}
	if host == "localhost" {
		return g.ip.IsLoopback() || g.ip.IsUnspecified()
	}
	ip := net.ParseIP(host)
	return ip != nil && (g.ip.IsUnspecified() || ip.Equal(g.ip) || (ip.IsLoopback() && g.ip.IsLoopback()))
}
