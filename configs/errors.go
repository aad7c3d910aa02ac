package configs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched by errors.Is on every Error and Errors this package
// returns: the configuration is malformed or breaks a rule. It is not
// matched by a failure to read the file.
var ErrInvalid = errors.New("configs: invalid configuration")

// Error is one problem in a configuration file.
type Error struct {
	// File is the name the configuration was parsed under; may be empty.
	File string
	// Line is the 1-based line of the offending key, or of the mapping
	// that lacks a required key; 0 if unknown (a Config built in Go).
	Line int
	// Field is the path of the offending value, e.g. "pools[1].curve.base";
	// empty for problems of the file as a whole (a syntax error).
	Field string
	// Msg says what is wrong, naming the bad value.
	Msg string
}

// Error formats the problem as "file:line: field: message", leaving out the
// parts that are empty or zero.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Errors is every problem found in one configuration, in the order of their
// lines. A non-nil Errors returned as an error is never empty.
type Errors []*Error

// Error joins the problems, one per line, without a trailing newline.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Is reports whether target is ErrInvalid.
func (es Errors) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the problems one by one, for errors.As.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// err returns es as an error, or nil when es is empty, so that an empty
// Errors never becomes a non-nil error.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
