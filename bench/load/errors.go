package load

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrSchedule is returned, wrapped, for a schedule that cannot be built: a
// rate or a duration that is not positive and finite, or more arrivals than
// MaxRequests.
var ErrSchedule = errors.New("load: invalid schedule")

// MaxErrorBody is the most bytes of a failed answer's body that
// HTTPTarget keeps in its StatusError.
const MaxErrorBody = 512

// StatusError is the error of a request answered with a status outside
// 2xx. Run counts these by Code.
type StatusError struct {
	// Code is the HTTP status code of the answer.
	Code int
	// Body is the start of the answer's body, at most MaxErrorBody bytes,
	// which often says why (the gateway's {"error": "..."}); empty when
	// the answer had no body or the Target did not read it.
	Body []byte
}

// Error returns "load: HTTP 503 Service Unavailable" and the like.
func (e *StatusError) Error() string {
	return fmt.Sprintf("load: HTTP %d %s", e.Code, http.StatusText(e.Code))
}
