package configs

import (
	"fmt"
	"math"
	"regexp"
	"time"
)

// checker collects the problems of one Config. Each section's file adds
// the method that checks that section; this file holds what they share.
type checker struct {
	file string
	line func(field string) int
	errs Errors
}

func (c *checker) addf(field, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Line: c.line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

// priorities are the priority class names, as the batcher names them.
var priorities = map[string]bool{"critical": true, "high": true, "normal": true, "low": true}

// priority reports a value that is not a priority class.
func (c *checker) priority(field, value string) {
	if !priorities[value] {
		c.addf(field, "%q is not a priority class (want critical, high, normal or low)", value)
	}
}

// name checks that a name is non-empty and not in used, then adds it;
// it reports whether the name passed.
func (c *checker) name(field, name string, used map[string]string) bool {
	if name == "" {
		c.addf(field, "must not be empty")
		return false
	}
	return c.unique(used, name, field)
}

// unique reports whether value is not yet in used, adding it if so.
func (c *checker) unique(used map[string]string, value, field string) bool {
	if first, ok := used[value]; ok {
		c.addf(field, "%q duplicates %s", value, first)
		return false
	}
	used[value] = field
	return true
}

// dns1123Label is a Kubernetes DNS-1123 label, without the length limit.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func (c *checker) label(field, name string) {
	if len(name) > 63 || !dns1123Label.MatchString(name) {
		c.addf(field, "%q is not a DNS-1123 label (lower-case letters, digits and '-', "+
			"starting and ending with a letter or digit, at most 63 characters)", name)
	}
}

// required reports an empty string.
func (c *checker) required(field, value string) {
	if value == "" {
		c.addf(field, "is required")
	}
}

func (c *checker) positive(field string, d time.Duration) {
	if d <= 0 {
		c.addf(field, "%v must be > 0", d)
	}
}

func (c *checker) nonNegative(field string, d time.Duration) {
	if d < 0 {
		c.addf(field, "%v must be >= 0", d)
	}
}

// nonNegativeNumber rejects negative numbers, NaN and +Inf.
func (c *checker) nonNegativeNumber(field string, v float64) {
	switch {
	case !(v >= 0):
		c.addf(field, "%v must be >= 0", v)
	case math.IsInf(v, 1):
		c.addf(field, "%v must be finite", v)
	}
}

// fillIfZero sets *v to def when *v is zero: the one way a section fills
// its defaults.
func fillIfZero[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
