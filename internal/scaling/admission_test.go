package scaling

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/scaler"
)

// errNoFallback stands for the gateway's refusal of a model without a
// fallback.
var errNoFallback = errors.New("no fallback")

// fakeAdmission records what the adapter tells the router and the
// gateway.
type fakeAdmission struct {
	calls     []string
	fallbacks map[string]bool // models with a fallback
}

func (a *fakeAdmission) SetShed(tier string, level batcher.ShedLevel) {
	a.calls = append(a.calls, fmt.Sprintf("shed %s at %v", tier, level))
}

func (a *fakeAdmission) SetFallback(model string, on bool) error {
	if !a.fallbacks[model] {
		return fmt.Errorf("%w for model %q", errNoFallback, model)
	}
	a.calls = append(a.calls, fmt.Sprintf("fallback %s %v", model, on))
	return nil
}

func TestAdmission(t *testing.T) {
	// The models with a fallback, per tier; chat-small and sum have none.
	fallbacks := map[string][]string{"light": {"chat", "embed"}, "heavy": {"vision"}}
	// directive is one call of the scaler: a shed level, or a fallback
	// switch when fallback is set.
	type directive struct {
		tier     string
		shed     scaler.Shed
		fallback *bool
	}
	on, off := true, false
	tests := []struct {
		name  string
		steps []directive
		want  []string
	}{
		{"nothing to shed: admission is left alone",
			[]directive{{tier: "light"}, {tier: "heavy"}, {tier: "light", fallback: &off}}, nil},
		{"each tier sheds its own classes",
			[]directive{{tier: "light", shed: scaler.ShedLow}, {tier: "heavy", shed: scaler.ShedNormal}, {tier: "heavy", shed: scaler.ShedNone}},
			[]string{"shed light at low", "shed heavy at normal", "shed heavy at none"}},
		{"a level already applied is not repeated",
			[]directive{{tier: "light", shed: scaler.ShedLow}, {tier: "light", shed: scaler.ShedLow}, {tier: "light", shed: scaler.ShedNone}, {tier: "light", shed: scaler.ShedNone}},
			[]string{"shed light at low", "shed light at none"}},
		{"fallbacks of the tier's models that have one",
			[]directive{{tier: "light", fallback: &on}, {tier: "light", fallback: &on}, {tier: "heavy", fallback: &on}, {tier: "light", fallback: &off}},
			[]string{"fallback chat true", "fallback embed true", "fallback vision true", "fallback chat false", "fallback embed false"}},
		{"a tier without fallbacks",
			[]directive{{tier: "spare", fallback: &on}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := &fakeAdmission{fallbacks: map[string]bool{"chat": true, "embed": true, "vision": true}}
			a := NewAdmission(gw, fallbacks, slog.New(slog.DiscardHandler))
			for _, d := range tt.steps {
				if d.fallback != nil {
					a.SetFallback(d.tier, *d.fallback)
				} else {
					a.SetShed(d.tier, d.shed)
				}
			}
			if diff := cmp.Diff(tt.want, gw.calls); diff != "" {
				t.Errorf("calls to admission (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShedLevel(t *testing.T) {
	for s, want := range map[scaler.Shed]batcher.ShedLevel{
		scaler.ShedNone: batcher.ShedNone, scaler.ShedLow: batcher.ShedLow, scaler.ShedNormal: batcher.ShedNormal,
		scaler.Shed(7): batcher.ShedNone,
	} {
		if got := ShedLevel(s); got != want {
			t.Errorf("ShedLevel(%v) = %v, want %v", s, got, want)
		}
	}
}

// TestAdmissionSetFallbacks gives a tier whose fallbacks are on a new
// model with a fallback: its fallback turns on at once.
func TestAdmissionSetFallbacks(t *testing.T) {
	gw := &fakeAdmission{fallbacks: map[string]bool{"chat": true, "embed": true}}
	a := NewAdmission(gw, map[string][]string{"light": {"chat"}}, slog.New(slog.DiscardHandler))
	a.SetFallback("light", true)
	a.SetFallbacks(map[string][]string{"light": {"chat", "embed"}})
	a.SetFallback("light", false)
	want := []string{"fallback chat true", "fallback chat true", "fallback embed true", "fallback chat false", "fallback embed false"}
	if diff := cmp.Diff(want, gw.calls); diff != "" {
		t.Errorf("calls to the gateway (-want +got):\n%s", diff)
	}
}
