package worker

import (
	"context"
	"errors"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-gateway/sluice/oip"
)

// codeOf maps an error of this package, or of oip, to a gRPC code.
func codeOf(err error) codes.Code {
	switch {
	case errors.Is(err, ErrUnknownModel), errors.Is(err, ErrUnknownVersion):
		return codes.NotFound
	case errors.Is(err, ErrNotReady):
		return codes.Unavailable
	case errors.Is(err, ErrBadInput), errors.Is(err, ErrUnknownOutput),
		errors.Is(err, ErrBatchTooLarge), errors.Is(err, oip.ErrInvalid):
		return codes.InvalidArgument
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	default:
		return codes.Internal
	}
}

// httpStatusOf maps the codes codeOf returns to HTTP statuses.
func httpStatusOf(code codes.Code) int {
	switch code {
	case codes.NotFound:
		return http.StatusNotFound
	case codes.InvalidArgument:
		return http.StatusBadRequest
	case codes.Unavailable, codes.Canceled:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

// grpcError turns err into a gRPC status error with its mapped code.
func grpcError(err error) error {
	return status.Error(codeOf(err), err.Error())
}
