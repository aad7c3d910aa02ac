package gateway

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// statusClientClosed is the HTTP status logged for a client that went away
// before its answer (nginx's convention); the client never sees it.
const statusClientClosed = 499

var (
	// ErrBodyTooLarge is returned for a request body over the gateway's
	// limit.
	ErrBodyTooLarge = errors.New("gateway: request body too large")
	// ErrUnauthenticated is returned for a call without a valid API key
	// (HTTP 401, gRPC UNAUTHENTICATED).
	ErrUnauthenticated = errors.New("gateway: unauthenticated")
	// ErrForbidden is returned for a call of a model its key may not call
	// (HTTP 403, gRPC PERMISSION_DENIED).
	ErrForbidden = errors.New("gateway: permission denied")
	// ErrRateLimited is returned for a call over its tenant's or its
	// model's rate limit (HTTP 429, gRPC RESOURCE_EXHAUSTED), with the
	// time after which a retry would pass.
	ErrRateLimited = errors.New("gateway: rate limited")
	// ErrBudgetExhausted is returned for a call whose tenant or key spent
	// a budget (HTTP 429 with HeaderBudget, gRPC RESOURCE_EXHAUSTED), with
	// the time until the budget's window resets.
	ErrBudgetExhausted = errors.New("gateway: budget exhausted")
	// ErrShed is returned for a call of a priority class that admission
	// refuses at its shed level (HTTP 503, gRPC UNAVAILABLE).
	ErrShed = errors.New("gateway: shedding load")
	// ErrDraining is returned for a call that arrives while the gateway
	// shuts down, or that it gave up on at the end of its drain (HTTP
	// 503, gRPC UNAVAILABLE); see Gateway.Shutdown.
	ErrDraining = errors.New("gateway: shutting down")
	// ErrOverloaded is returned for a call beyond the gateway's limit of
	// calls in progress (Options.MaxInFlight): HTTP 503 with Retry-After,
	// gRPC UNAVAILABLE.
	ErrOverloaded = errors.New("gateway: too many calls in progress")
	// ErrBodyTimeout is returned for an HTTP request whose body did not
	// arrive within the body timeout (Options.BodyTimeout): HTTP 408.
	ErrBodyTimeout = errors.New("gateway: request body not received in time")
	// ErrClientClosed is returned for an HTTP request whose client went
	// away before its body was read: logged as 499, never sent.
	ErrClientClosed = errors.New("gateway: client closed the connection")
	// ErrBadOptions is returned by the constructors of the gateway's
	// parts for options that break a documented rule.
	ErrBadOptions = errors.New("gateway: invalid options")
	// ErrMalformedKey is returned by HashKey for a key no client could
	// send.
	ErrMalformedKey = errors.New("gateway: malformed API key")
	// ErrNoFallback is returned by Admission.SetFallback for a model with
	// no configured fallback.
	ErrNoFallback = errors.New("gateway: no fallback model")
)

// Reasons a call fails, as TenantCount.Failed counts them.
const (
	ReasonUnauthenticated = "unauthenticated"
	ReasonForbidden       = "forbidden"
	ReasonRateLimited     = "rate_limited"
	ReasonBudget          = "budget_exhausted"
	ReasonShed            = "shed"
	ReasonDraining        = "draining"
	ReasonInvalid         = "invalid"
	ReasonUnknownModel    = "unknown_model"
	ReasonNoCapacity      = "no_capacity"
	ReasonQueueFull       = "queue_full"
	ReasonQueueTimeout    = "queue_timeout"
	ReasonDeadline        = "deadline"
	ReasonCanceled        = "canceled"
	ReasonClosed          = "closed"
	ReasonBackend         = "backend"
	ReasonInternal        = "internal"
	ReasonUnavailable     = "model_unavailable"
	ReasonSequenceLost    = "sequence_lost"
	ReasonOverloaded      = "overloaded"
	ReasonBodyTimeout     = "body_timeout"
)

// failure is how an error is reported to a client.
type failure struct {
	http int
	grpc codes.Code
	// retryAfter, when > 0, is sent as Retry-After (HTTP, whole seconds
	// rounded up) and as a RetryInfo detail (gRPC).
	retryAfter time.Duration
	// reason names the failure in per-tenant counts.
	reason string
}

// failures maps sentinel errors to statuses, most specific first.
var failures = []struct {
	err error
	failure
}{
	{ErrUnauthenticated, failure{http.StatusUnauthorized, codes.Unauthenticated, 0, ReasonUnauthenticated}},
	{ErrForbidden, failure{http.StatusForbidden, codes.PermissionDenied, 0, ReasonForbidden}},
	{ErrRateLimited, failure{http.StatusTooManyRequests, codes.ResourceExhausted, time.Second, ReasonRateLimited}},
	{ErrBudgetExhausted, failure{http.StatusTooManyRequests, codes.ResourceExhausted, time.Second, ReasonBudget}},
	{ErrShed, failure{http.StatusServiceUnavailable, codes.Unavailable, ShedRetryAfter, ReasonShed}},
	{router.ErrShed, failure{http.StatusServiceUnavailable, codes.Unavailable, ShedRetryAfter, ReasonShed}},
	{ErrDraining, failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonDraining}},
	{ErrOverloaded, failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonOverloaded}},
	{ErrBodyTooLarge, failure{http.StatusRequestEntityTooLarge, codes.ResourceExhausted, 0, ReasonInvalid}},
	{batcher.ErrTooLarge, failure{http.StatusRequestEntityTooLarge, codes.ResourceExhausted, 0, ReasonInvalid}},
	{ErrBodyTimeout, failure{http.StatusRequestTimeout, codes.DeadlineExceeded, 0, ReasonBodyTimeout}},
	{ErrClientClosed, failure{statusClientClosed, codes.Canceled, 0, ReasonCanceled}},
	{oip.ErrInvalid, failure{http.StatusBadRequest, codes.InvalidArgument, 0, ReasonInvalid}},
	{ErrUnsupported, failure{http.StatusBadRequest, codes.Unimplemented, 0, ReasonInvalid}},
	{router.ErrModelUnavailable, failure{http.StatusServiceUnavailable, codes.Unavailable, 0, ReasonUnavailable}},
	{router.ErrSequenceLost, failure{http.StatusConflict, codes.Aborted, 0, ReasonSequenceLost}},
	{router.ErrUnknownModel, failure{http.StatusNotFound, codes.NotFound, 0, ReasonUnknownModel}},
	{router.ErrNoCapacity, failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonNoCapacity}},
	{batcher.ErrQueueFull, failure{http.StatusTooManyRequests, codes.ResourceExhausted, time.Second, ReasonQueueFull}},
	{batcher.ErrQueueTimeout, failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonQueueTimeout}},
	{batcher.ErrDeadline, failure{http.StatusGatewayTimeout, codes.DeadlineExceeded, 0, ReasonDeadline}},
	{context.DeadlineExceeded, failure{http.StatusGatewayTimeout, codes.DeadlineExceeded, 0, ReasonDeadline}},
	{context.Canceled, failure{statusClientClosed, codes.Canceled, 0, ReasonCanceled}},
	{batcher.ErrClosed, failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonClosed}},
	{router.ErrBackend, failure{http.StatusBadGateway, codes.Unavailable, 0, ReasonBackend}},
	{batcher.ErrBadResponse, failure{http.StatusBadGateway, codes.Unavailable, 0, ReasonBackend}},
}

// classify returns how err is reported; unknown errors are internal. An
// error carrying its own retry delay (a *retryError) overrides the
// table's.
func classify(err error) failure {
	f := failure{http.StatusInternalServerError, codes.Internal, 0, ReasonInternal}
	for _, e := range failures {
		if errors.Is(err, e.err) {
			f = e.failure
			break
		}
	}
	if re, ok := errors.AsType[*retryError](err); ok {
		f.retryAfter = re.after
	}
	return f
}

// retryError is an error after which a retry should wait at least after;
// classify reports after instead of the table's delay.
type retryError struct {
	err   error
	after time.Duration
}

func (e *retryError) Error() string {
	return fmt.Sprintf("%v; retry in %v", e.err, ceilMillis(e.after))
}

func (e *retryError) Unwrap() error { return e.err }

// retryAfterSeconds is d as whole seconds for a Retry-After header: rounded
// up, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// ceilMillis rounds d up to a whole millisecond.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
