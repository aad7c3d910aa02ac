package batcher

import (
	"fmt"
	"strings"
)

// Priority is a request's class. Classes are served in strict priority
// order — no item of a class is dispatched while an item of a higher class
// waits, except as a compatible companion in that item's batch — and in
// fair order within a class: tenants by weight, each tenant's items FIFO
// (see the package documentation, "Fair queueing"), or newest first while
// the class is standing (its oldest item late; see "Adaptive LIFO").
//
// The zero value is Normal. A higher value is more urgent.
type Priority int8

// The priority classes, most urgent first.
const (
	// Critical is for traffic that must never wait behind anything else.
	Critical Priority = 2
	// High is for interactive traffic.
	High Priority = 1
	// Normal is the default class.
	Normal Priority = 0
	// Low is best effort: served only when no other class waits.
	Low Priority = -1
)

// numClasses is the number of priority classes.
const numClasses = 4

// priorityNames lists the names of the classes by class index.
var priorityNames = [numClasses]string{"critical", "high", "normal", "low"}

// ParsePriority returns the class a name denotes: "critical", "high",
// "normal", "low" or its alias "best-effort", in any letter case. Any
// other string, the empty one included, yields an error wrapping
// ErrBadPriority.
func ParsePriority(s string) (Priority, error) {
	name := strings.ToLower(s)
	if name == "best-effort" || name == "best_effort" {
		return Low, nil
	}
	for i, n := range priorityNames {
		if n == name {
			return Critical - Priority(i), nil
		}
	}
	return Normal, fmt.Errorf("%w: %q (want critical, high, normal, low or best-effort)", ErrBadPriority, s)
}

// String returns the class name ParsePriority accepts, or "priority(N)" for
// a value outside the four classes.
func (p Priority) String() string {
	if !p.valid() {
		return fmt.Sprintf("priority(%d)", int8(p))
	}
	return priorityNames[p.class()]
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (p Priority) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: %d", ErrBadPriority, int8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParsePriority.
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// valid reports whether p is one of the four classes.
func (p Priority) valid() bool { return p >= Low && p <= Critical }

// class returns p's index, 0 for Critical to 3 for Low.
// pre: p.valid().
func (p Priority) class() int { return int(Critical - p) }

// ClassCounts holds one number per priority class.
type ClassCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Normal   int `json:"normal"`
	Low      int `json:"low"`
}

// Of returns the count of class p; 0 for a value outside the classes.
func (c ClassCounts) Of(p Priority) int {
	switch p {
	case Critical:
		return c.Critical
	case High:
		return c.High
	case Normal:
		return c.Normal
	case Low:
		return c.Low
	}
	return 0
}

// Total returns the sum over the classes.
func (c ClassCounts) Total() int { return c.Critical + c.High + c.Normal + c.Low }

// countsOf turns per-class-index numbers into ClassCounts.
func countsOf(n [numClasses]int) ClassCounts {
	return ClassCounts{Critical: n[0], High: n[1], Normal: n[2], Low: n[3]}
}
