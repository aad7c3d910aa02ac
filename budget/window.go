package budget

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Window is a span over which spending is summed: an hour, a day or a
// calendar month, aligned to UTC.
type Window int8

// The windows, shortest first.
const (
	Hour Window = iota
	Day
	Month
)

// NumWindows is the number of windows.
const NumWindows = 3

// Windows lists every window, shortest first.
var Windows = [NumWindows]Window{Hour, Day, Month}

var windowNames = [NumWindows]string{"per_hour", "per_day", "per_month"}

// String returns the window's configuration key: "per_hour", "per_day" or
// "per_month".
func (w Window) String() string {
	if w < 0 || int(w) >= NumWindows {
		return fmt.Sprintf("window(%d)", int8(w))
	}
	return windowNames[w]
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// ParseWindow returns the window String names; false for any other string.
func ParseWindow(s string) (Window, bool) {
	for _, w := range Windows {
		if windowNames[w] == s {
			return w, true
		}
	}
	return 0, false
}

// Start returns the start of the window holding t, in UTC.
func (w Window) Start(t time.Time) time.Time {
	t = t.UTC()
	y, mo, d := t.Date()
	switch w {
	case Hour:
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, time.UTC)
	case Day:
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
}

// End returns the end of the window holding t, in UTC: the start of the
// next one, the first instant the window's spend is zero again.
func (w Window) End(t time.Time) time.Time {
	s := w.Start(t)
	switch w {
	case Hour:
		return s.Add(time.Hour)
	case Day:
		return s.AddDate(0, 0, 1)
	}
	return s.AddDate(0, 1, 0)
}

// Amounts holds one amount of USD per window.
type Amounts [NumWindows]float64

// Of returns the amount of window w.
func (a Amounts) Of(w Window) float64 { return a[w] }

// Valid reports whether every amount is >= 0 and finite.
func (a Amounts) Valid() bool {
	for _, v := range a {
		if !(v >= 0) || math.IsInf(v, 1) {
			return false
		}
	}
	return true
}

// amountsJSON is how Amounts read and write in JSON: the windows by name.
type amountsJSON struct {
	PerHour  float64 `json:"per_hour"`
	PerDay   float64 `json:"per_day"`
	PerMonth float64 `json:"per_month"`
}

// MarshalJSON writes {"per_hour": …, "per_day": …, "per_month": …}.
func (a Amounts) MarshalJSON() ([]byte, error) {
	return json.Marshal(amountsJSON{a[Hour], a[Day], a[Month]})
}

// UnmarshalJSON reads what MarshalJSON writes; absent windows are 0 and
// unknown keys are refused.
func (a *Amounts) UnmarshalJSON(b []byte) error {
	var v amountsJSON
	if err := strictJSON(b, &v); err != nil {
		return err
	}
	*a = Amounts{v.PerHour, v.PerDay, v.PerMonth}
	return nil
}

// Times holds one time per window.
type Times [NumWindows]time.Time

// MarshalJSON writes {"per_hour": …, "per_day": …, "per_month": …}, each
// time in RFC 3339.
func (t Times) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]time.Time{Hour.String(): t[Hour], Day.String(): t[Day], Month.String(): t[Month]})
}
