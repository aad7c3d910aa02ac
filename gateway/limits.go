package gateway

import (
	"fmt"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/oip"
)

// bounds are the limits a gateway applies to each call, defaults filled.
// A bounds is immutable.
type bounds struct {
	// depth is the deepest nesting of an HTTP body's objects and arrays.
	depth int
	// elements is the most input elements one call may hold.
	elements int64
	// deadline caps a call's deadline; 0 means no cap.
	deadline time.Duration
	// bodyTimeout bounds the reading of an HTTP body; writeTimeout the
	// writing of an HTTP answer (see slowClients).
	bodyTimeout, writeTimeout time.Duration
	// inFlight is the most calls in progress at once.
	inFlight int
}

// boundsOf returns the limits opts asks for, with defaults for its zero
// fields; a negative MaxDeadline counts as 0, no cap.
func boundsOf(opts Options) bounds {
	b := bounds{
		depth: opts.MaxJSONDepth, elements: opts.MaxTensorElements, deadline: max(opts.MaxDeadline, 0),
		bodyTimeout: opts.BodyTimeout, writeTimeout: opts.WriteTimeout, inFlight: opts.MaxInFlight,
	}
	orDefault(&b.depth, configs.DefaultMaxJSONDepth)
	orDefault(&b.elements, configs.DefaultMaxTensorElements)
	orDefault(&b.bodyTimeout, configs.DefaultBodyTimeout)
	orDefault(&b.writeTimeout, configs.DefaultWriteTimeout)
	orDefault(&b.inFlight, configs.DefaultMaxInFlight)
	return b
}

// orDefault sets *v to def when *v is 0 or less.
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// clientDeadline returns the limit the gateway hands the router for a
// call that arrived at now with the client's timeout (0 means none): now
// plus the timeout cut to the deadline cap, or plus the cap when the
// client set none; the zero time, no limit, when neither is set. The
// router takes the earliest of it, the gRPC deadline and the model's
// timeout, so the cap bounds those too.
func (b bounds) clientDeadline(now time.Time, timeout time.Duration) time.Time {
	if b.deadline > 0 && (timeout <= 0 || timeout > b.deadline) {
		timeout = b.deadline
	}
	if timeout <= 0 {
		return time.Time{}
	}
	return now.Add(timeout)
}

// checkDepth refuses, with an error matching oip.ErrInvalid, a JSON text
// whose objects and arrays nest deeper than the limit. It looks only at
// brackets outside strings, in one pass and without allocating, so that a
// body built to exhaust the decoder's stack is refused before decoding.
// Malformed JSON passes unless it is too deep; the decoder reports it.
func (b bounds) checkDepth(body []byte) error {
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped character cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > b.depth {
				return fmt.Errorf("%w: JSON body nests objects and arrays deeper than %d levels", oip.ErrInvalid, b.depth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// checkElements refuses, with an error matching oip.ErrInvalid that names
// the input, a request whose inputs hold more elements in all than the
// limit. pre: req passed oip's Validate, so each input's count is known.
func (b bounds) checkElements(req *oip.InferenceRequest) error {
	var total int64
	for i := range req.Inputs {
		in := &req.Inputs[i]
		n := in.NumElements()
		if n > b.elements-total { // total <= b.elements, so this cannot overflow
			return fmt.Errorf("%w: input %q: its %d elements, after %d in the inputs before it, exceed the limit of %d elements per request",
				oip.ErrInvalid, in.Name, n, total, b.elements)
		}
		total += n
	}
	return nil
}
