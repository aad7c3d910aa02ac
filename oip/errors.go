package oip

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test for them with errors.Is; the messages of the
// errors that wrap them name the tensor and the bad value.
var (
	// ErrInvalid marks a request or response that breaks the protocol:
	// malformed JSON, an unknown datatype, an element out of range for its
	// datatype, a shape that does not match the data, a duplicate name.
	// Front ends map it to HTTP 400 and gRPC InvalidArgument.
	ErrInvalid = errors.New("oip: invalid inference request or response")

	// ErrBatchMismatch marks requests that cannot be merged into one batch,
	// or a batch response whose outputs do not split back into its
	// members' rows.
	ErrBatchMismatch = errors.New("oip: batch mismatch")

	// ErrUnrepresentable marks a value that JSON cannot carry: a NaN or an
	// infinity in a floating-point tensor or parameter.
	ErrUnrepresentable = errors.New("oip: value not representable in JSON")
)

// kindError is an error whose message is its own but which also matches a
// sentinel under errors.Is, without repeating the sentinel's text.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// invalidf returns an error matching ErrInvalid with the formatted message.
// %w verbs in format wrap as in fmt.Errorf.
func invalidf(format string, args ...any) error {
	return &kindError{kind: ErrInvalid, err: fmt.Errorf(format, args...)}
}

// mismatchf returns an error matching ErrBatchMismatch.
func mismatchf(format string, args ...any) error {
	return &kindError{kind: ErrBatchMismatch, err: fmt.Errorf(format, args...)}
}

// unrepresentablef returns an error matching ErrUnrepresentable.
func unrepresentablef(format string, args ...any) error {
	return &kindError{kind: ErrUnrepresentable, err: fmt.Errorf(format, args...)}
}
