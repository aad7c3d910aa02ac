package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

// errAdminToken is the answer to an admin request without the admin
// token. It never quotes what the client sent.
var errAdminToken = errors.New("sluice: admin API: send the admin token as Authorization: Bearer TOKEN")

// adminHealthPath is the one admin endpoint served without the token, so
// that liveness probes need no secret.
const adminHealthPath = "/healthz"

// requireAdminToken serves next only to requests that carry the admin
// token, "Authorization: Bearer TOKEN" whose SHA-256 is want; any other
// request gets 401, a WWW-Authenticate challenge and a one-line JSON
// error. GET /healthz needs no token. The comparison hashes the presented
// token and compares the hashes in constant time, so its timing tells
// nothing of the token.
func requireAdminToken(next http.Handler, want [sha256.Size]byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == adminHealthPath || adminTokenOK(r.Header.Values("Authorization"), want) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="sluice-admin"`)
		writeAdminError(w, http.StatusUnauthorized, errAdminToken)
	})
}

// adminTokenOK reports whether the values of the Authorization header are
// exactly one "Bearer TOKEN" (the scheme in any letter case) whose token
// hashes to want.
func adminTokenOK(authorization []string, want [sha256.Size]byte) bool {
	if len(authorization) != 1 {
		return false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization[0]), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
