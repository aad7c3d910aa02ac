package gateway

import (
	"context"
	"errors"
	"net/http"

	"google.golang.org/grpc/codes"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// statusClientClosed is the HTTP status logged for a client that went away
// before its answer (nginx's convention); the client never sees it.
const statusClientClosed = 499

// ErrBodyTooLarge is returned for a request body over the gateway's limit.
var ErrBodyTooLarge = errors.New("gateway: request body too large")

// failure is how an error is reported to a client.
type failure struct {
	http int
	grpc codes.Code
	// retryAfter, in seconds, is sent as Retry-After when > 0.
	retryAfter int
}

// failures maps sentinel errors to statuses, most specific first.
var failures = []struct {
	err error
	failure
}{
	{ErrBodyTooLarge, failure{http.StatusRequestEntityTooLarge, codes.ResourceExhausted, 0}},
	{oip.ErrInvalid, failure{http.StatusBadRequest, codes.InvalidArgument, 0}},
	{router.ErrUnknownModel, failure{http.StatusNotFound, codes.NotFound, 0}},
	{router.ErrNoCapacity, failure{http.StatusServiceUnavailable, codes.Unavailable, 1}},
	{batcher.ErrQueueFull, failure{http.StatusTooManyRequests, codes.ResourceExhausted, 1}},
	{batcher.ErrQueueTimeout, failure{http.StatusServiceUnavailable, codes.Unavailable, 1}},
	{batcher.ErrDeadline, failure{http.StatusGatewayTimeout, codes.DeadlineExceeded, 0}},
	{context.DeadlineExceeded, failure{http.StatusGatewayTimeout, codes.DeadlineExceeded, 0}},
	{context.Canceled, failure{statusClientClosed, codes.Canceled, 0}},
	{batcher.ErrClosed, failure{http.StatusServiceUnavailable, codes.Unavailable, 1}},
	{router.ErrBackend, failure{http.StatusBadGateway, codes.Unavailable, 0}},
}

// classify returns how err is reported; unknown errors are internal.
func classify(err error) failure {
	for _, f := range failures {
		if errors.Is(err, f.err) {
			return f.failure
		}
	}
	return failure{http.StatusInternalServerError, codes.Internal, 0}
}
