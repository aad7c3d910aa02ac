package budget_test

import (
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/budget"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindowBounds(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name       string
		w          budget.Window
		t          time.Time
		start, end string
	}{
		{"hour", budget.Hour, at("2026-03-14T15:09:26.5Z"), "2026-03-14T15:00:00Z", "2026-03-14T16:00:00Z"},
		{"hour at its start", budget.Hour, at("2026-03-14T15:00:00Z"), "2026-03-14T15:00:00Z", "2026-03-14T16:00:00Z"},
		{"day", budget.Day, at("2026-03-14T23:59:59.999Z"), "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
		{"day is UTC's, not the clock's zone", budget.Day, time.Date(2026, 3, 15, 0, 30, 0, 0, paris), "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
		{"month", budget.Month, at("2026-01-31T12:00:00Z"), "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"february of a leap year", budget.Month, at("2028-02-29T23:00:00Z"), "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"december rolls into the next year", budget.Month, at("2026-12-31T23:59:59Z"), "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Start(tt.t); !got.Equal(at(tt.start)) {
				t.Errorf("Start = %v, want %s", got, tt.start)
			}
			if got := tt.w.End(tt.t); !got.Equal(at(tt.end)) {
				t.Errorf("End = %v, want %s", got, tt.end)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for _, w := range budget.Windows {
		if got, ok := budget.ParseWindow(w.String()); !ok || got != w {
			t.Errorf("ParseWindow(%q) = %v, %v", w, got, ok)
		}
	}
	if _, ok := budget.ParseWindow("per_week"); ok {
		t.Error("ParseWindow(per_week) succeeded")
	}
}
