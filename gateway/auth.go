package gateway

import (
	"crypto/sha256"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/configs"
)

// AnonymousTenant is the tenant of every call when authentication is off.
const AnonymousTenant = configs.AnonymousTenant

// Names of the request headers (HTTP) and metadata keys (gRPC) that carry
// an API key: "Authorization: Bearer KEY" or "x-api-key: KEY".
const (
	HeaderAuthorization = "authorization"
	HeaderAPIKey        = "x-api-key"
)

// MaxKeyLen is the longest API key accepted, in bytes.
const MaxKeyLen = 1024

// Errors of credential parsing. Their messages are fixed: none may quote
// what the client sent, which may be a key.
var (
	errNoKey        = fmt.Errorf("%w: no API key (send Authorization: Bearer KEY or x-api-key: KEY)", ErrUnauthenticated)
	errManyKeys     = fmt.Errorf("%w: more than one API key given", ErrUnauthenticated)
	errNotBearer    = fmt.Errorf("%w: the Authorization header must read Bearer KEY", ErrUnauthenticated)
	errMalformedKey = fmt.Errorf("%w: malformed API key (want 1 to %d visible ASCII characters)", ErrUnauthenticated, MaxKeyLen)
	errUnknownKey   = fmt.Errorf("%w: unknown API key", ErrUnauthenticated)
)

// Key is what one API key grants. The gateway knows a key only by its
// SHA-256; the plain key is never held, logged or reported.
type Key struct {
	// SHA256 is the SHA-256 of the plain key (see HashKey).
	SHA256 [sha256.Size]byte
	// Tenant is who the key belongs to, for rate limits and accounting;
	// non-empty. Several keys may share a tenant.
	Tenant string
	// Priority is both the class of the key's calls and the highest class
	// the x-sluice-priority header may ask for. The zero value is Normal.
	Priority batcher.Priority
	// Models are path.Match globs of the models the key may call; at least
	// one. "*" allows every model.
	Models []string
	// Trusted marks a tenant whose routing headers may be honoured.
	Trusted bool
	// Name names the key in the budgets (Options.Budgets) and in errors;
	// never the key itself. Empty when the key has no budget of its own.
	Name string
}

// Allows reports whether the key may call model.
func (k *Key) Allows(model string) bool {
	for _, g := range k.Models {
		if ok, _ := path.Match(g, model); ok {
			return true
		}
	}
	return false
}

// Keyring authenticates calls by their API key. It is immutable after
// NewKeyring and safe for concurrent use. A nil *Keyring turns
// authentication off: every call is AnonymousTenant's, may call every
// model and ask for any priority, Normal by default.
type Keyring struct {
	keys map[[sha256.Size]byte]*Key
}

// NewKeyring returns a keyring of keys, which it copies. It fails, with an
// error matching ErrBadOptions, for a key without a tenant, models or a
// valid priority, with a malformed glob, or whose hash another key has.
func NewKeyring(keys []Key) (*Keyring, error) {
	kr := &Keyring{keys: make(map[[sha256.Size]byte]*Key, len(keys))}
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("%w: key %d of tenant %q: %w", ErrBadOptions, i, k.Tenant, err)
		}
		if prev, dup := kr.keys[k.SHA256]; dup {
			return nil, fmt.Errorf("%w: key %d of tenant %q has the hash of a key of tenant %q", ErrBadOptions, i, k.Tenant, prev.Tenant)
		}
		k.Models = slices.Clone(k.Models)
		kr.keys[k.SHA256] = &k
	}
	return kr, nil
}

func checkKey(k Key) error {
	switch {
	case k.Tenant == "":
		return fmt.Errorf("no tenant")
	case k.Priority < batcher.Low || k.Priority > batcher.Critical:
		return fmt.Errorf("priority %v is not a class", k.Priority)
	case len(k.Models) == 0:
		return fmt.Errorf("no models")
	}
	for _, g := range k.Models {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("model glob %q: %w", g, err)
		}
	}
	return nil
}

// HashKey returns the SHA-256 of a plain API key, as Key.SHA256 holds it.
// It fails, with an error matching ErrMalformedKey that does not quote the
// key, for a key no client could send: empty, longer than MaxKeyLen, or
// holding anything but visible ASCII.
func HashKey(key string) ([sha256.Size]byte, error) {
	if !wellFormedKey(key) {
		return [sha256.Size]byte{}, fmt.Errorf("%w: want 1 to %d visible ASCII characters, no spaces", ErrMalformedKey, MaxKeyLen)
	}
	return sha256.Sum256([]byte(key)), nil
}

// principal is who a call is made for.
type principal struct {
	tenant string
	// ceiling is the highest class the call may ask for; def is its class
	// when it asks for none.
	ceiling, def batcher.Priority
	// key is the call's key; nil when authentication is off.
	key *Key
}

// allows reports whether p may call model.
func (p principal) allows(model string) bool { return p.key == nil || p.key.Allows(model) }

// headers reads a request's header (HTTP) or metadata (gRPC): every value
// of a name, which is matched without regard to letter case.
type headers func(name string) []string

// first returns the first value of a name, or "".
func (h headers) first(name string) string {
	if v := h(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// authenticate returns the principal of a call with headers h. The lookup
// is by the SHA-256 of the presented key, so its timing does not depend on
// how much of a stored key the presented one matches.
func (kr *Keyring) authenticate(h headers) (principal, error) {
	if kr == nil {
		return principal{tenant: AnonymousTenant, ceiling: batcher.Critical, def: batcher.Normal}, nil
	}
	key, err := parseCredentials(h(HeaderAuthorization), h(HeaderAPIKey))
	if err != nil {
		return principal{}, err
	}
	k, ok := kr.keys[sha256.Sum256([]byte(key))]
	if !ok {
		return principal{}, errUnknownKey
	}
	return principal{tenant: k.Tenant, ceiling: k.Priority, def: k.Priority, key: k}, nil
}

// parseCredentials returns the API key of a call from the values of its
// Authorization and x-api-key headers: "Bearer KEY" (the scheme in any
// letter case) and "KEY". Both may be given if they agree; more than one
// value of either is refused. Errors match ErrUnauthenticated and never
// quote their input.
func parseCredentials(authorization, apiKey []string) (string, error) {
	if len(authorization) > 1 || len(apiKey) > 1 {
		return "", errManyKeys
	}
	var keys []string
	if len(authorization) == 1 {
		k, err := bearer(authorization[0])
		if err != nil {
			return "", err
		}
		keys = append(keys, k)
	}
	if len(apiKey) == 1 {
		keys = append(keys, strings.TrimSpace(apiKey[0]))
	}
	switch {
	case len(keys) == 0:
		return "", errNoKey
	case len(keys) == 2 && keys[0] != keys[1]:
		return "", errManyKeys
	case !wellFormedKey(keys[0]):
		return "", errMalformedKey
	}
	return keys[0], nil
}

// bearer returns the token of "Bearer TOKEN".
func bearer(v string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", errNotBearer
	}
	return strings.TrimSpace(token), nil
}

// wellFormedKey reports whether k is 1 to MaxKeyLen visible ASCII
// characters.
func wellFormedKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := range len(k) {
		if k[i] < '!' || k[i] > '~' {
			return false
		}
	}
	return true
}
