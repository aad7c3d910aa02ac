package batcher

import (
	"fmt"
	"strings"
)

// ShedLevel is how much traffic admission refuses, by class: each level
// refuses the classes of the one before and the next more urgent one. It
// is the one vocabulary of shedding: the gateway's level for all traffic,
// the router's level per tier, and what the scaler's directives map onto.
// The batcher itself sheds nothing.
//
// The zero value, ShedNone, refuses nothing.
type ShedLevel int8

// The shed levels, from none to most.
const (
	// ShedNone admits every class.
	ShedNone ShedLevel = iota
	// ShedLow refuses Low.
	ShedLow
	// ShedNormal refuses Low and Normal; High and Critical pass.
	ShedNormal
)

var shedNames = [...]string{"none", "low", "normal"}

// ParseShedLevel returns the level named "none", "low" or "normal", in any
// letter case. Any other string yields an error wrapping ErrBadShedLevel.
func ParseShedLevel(s string) (ShedLevel, error) {
	for i, n := range shedNames {
		if strings.EqualFold(s, n) {
			return ShedLevel(i), nil
		}
	}
	return ShedNone, fmt.Errorf("%w: %q (want none, low or normal)", ErrBadShedLevel, s)
}

// String returns the name ParseShedLevel accepts, or "shed(N)" for a value
// outside the levels.
func (l ShedLevel) String() string {
	if !l.valid() {
		return fmt.Sprintf("shed(%d)", int8(l))
	}
	return shedNames[l]
}

// MarshalText implements encoding.TextMarshaler with String's names; a
// value outside the levels is an error wrapping ErrBadShedLevel.
func (l ShedLevel) MarshalText() ([]byte, error) {
	if !l.valid() {
		return nil, fmt.Errorf("%w: %d", ErrBadShedLevel, int8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseShedLevel.
func (l *ShedLevel) UnmarshalText(b []byte) error {
	v, err := ParseShedLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Sheds reports whether level l refuses a request of class p. A value
// outside the levels refuses nothing.
func (l ShedLevel) Sheds(p Priority) bool {
	switch l {
	case ShedLow:
		return p <= Low
	case ShedNormal:
		return p <= Normal
	}
	return false
}

// valid reports whether l is one of the levels.
func (l ShedLevel) valid() bool { return l >= ShedNone && l <= ShedNormal }
