package budget_test

import (
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/budget"
)

func limits(hour, day, month float64) budget.Limits {
	return budget.Limits{Budget: budget.Amounts{hour, day, month}, SoftRatio: 0.8, FallbackRatio: 0.9}
}

func TestDecide(t *testing.T) {
	now := at("2026-03-14T15:09:26Z")
	tests := []struct {
		name   string
		limits budget.Limits
		spent  budget.Amounts
		state  budget.State
		window budget.Window
		reset  string
	}{
		{"uncapped", limits(0, 0, 0), budget.Amounts{100, 100, 100}, budget.OK, budget.Hour, "0001-01-01T00:00:00Z"},
		{"below the soft ratio", limits(1, 0, 0), budget.Amounts{0.79, 0.79, 0.79}, budget.OK, budget.Hour, "2026-03-14T16:00:00Z"},
		{"at the soft ratio", limits(1, 0, 0), budget.Amounts{0.8, 0.8, 0.8}, budget.Soft, budget.Hour, "2026-03-14T16:00:00Z"},
		{"at the fallback ratio", limits(1, 0, 0), budget.Amounts{0.9, 0.9, 0.9}, budget.Fallback, budget.Hour, "2026-03-14T16:00:00Z"},
		{"spent", limits(1, 0, 0), budget.Amounts{1, 1, 1}, budget.Exhausted, budget.Hour, "2026-03-14T16:00:00Z"},
		{"the most used window decides", limits(10, 2, 0), budget.Amounts{1, 1.7, 5}, budget.Soft, budget.Day, "2026-03-15T00:00:00Z"},
		{"the worse state decides", limits(1, 10, 0), budget.Amounts{0.95, 9, 9}, budget.Fallback, budget.Hour, "2026-03-14T16:00:00Z"},
		{"the exhausted window that resets last", limits(1, 2, 3), budget.Amounts{1, 2, 3}, budget.Exhausted, budget.Month, "2026-04-01T00:00:00Z"},
		{"an exhausted window beats a fuller one", limits(1, 2, 0), budget.Amounts{0.5, 5, 5}, budget.Exhausted, budget.Day, "2026-03-15T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := budget.Decide(tt.limits, tt.spent, now)
			if v.State != tt.state || v.Window != tt.window || !v.Reset.Equal(at(tt.reset)) {
				t.Errorf("Decide = %v in %v resetting at %v, want %v in %v resetting at %s", v.State, v.Window, v.Reset, tt.state, tt.window, tt.reset)
			}
		})
	}
}

func TestVerdictRetryAfter(t *testing.T) {
	now := at("2026-03-14T15:09:26Z")
	v := budget.Decide(limits(1, 0, 0), budget.Amounts{2, 2, 2}, now)
	if got, want := v.RetryAfter(now), 50*time.Minute+34*time.Second; got != want {
		t.Errorf("RetryAfter = %v, want %v", got, want)
	}
	if got := budget.Decide(limits(1, 0, 0), budget.Amounts{0.85, 0, 0}, now).RetryAfter(now); got != 0 {
		t.Errorf("RetryAfter of a soft verdict = %v, want 0", got)
	}
}

func TestWorse(t *testing.T) {
	now := at("2026-03-14T15:09:26Z")
	soft := budget.Decide(limits(1, 0, 0), budget.Amounts{0.85, 0, 0}, now)
	hour := budget.Decide(limits(1, 0, 0), budget.Amounts{1, 0, 0}, now)
	month := budget.Decide(limits(0, 0, 1), budget.Amounts{0, 0, 1}, now)
	for _, tt := range []struct {
		name   string
		a, b   budget.Verdict
		want   budget.Window
		wantSt budget.State
	}{
		{"the worse state", soft, hour, budget.Hour, budget.Exhausted},
		{"either order", hour, soft, budget.Hour, budget.Exhausted},
		{"the later reset", hour, month, budget.Month, budget.Exhausted},
		{"against OK", budget.Verdict{}, soft, budget.Hour, budget.Soft},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := budget.Worse(tt.a, tt.b); got.State != tt.wantSt || got.Window != tt.want {
				t.Errorf("Worse = %v in %v, want %v in %v", got.State, got.Window, tt.wantSt, tt.want)
			}
		})
	}
}
