package configs

import (
	"errors"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/costmodel"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"all parts", &Error{File: "a.yaml", Line: 7, Field: "pools[1].price_per_hour", Msg: "-0.5 must be >= 0"}, "a.yaml:7: pools[1].price_per_hour: -0.5 must be >= 0"},
		{"no field", &Error{File: "a.yaml", Line: 2, Msg: "syntax error: x"}, "a.yaml:2: syntax error: x"},
		{"no line", &Error{File: "a.yaml", Field: "models", Msg: "m"}, "a.yaml: models: m"},
		{"no file", &Error{Line: 3, Field: "models", Msg: "m"}, "line 3: models: m"},
		{"neither", &Error{Field: "models", Msg: "m"}, "models: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorsJoinAndMatch(t *testing.T) {
	errs := Errors{
		{File: "a.yaml", Line: 1, Field: "x", Msg: "bad"},
		{File: "a.yaml", Line: 2, Field: "y", Msg: "worse"},
	}
	if got, want := errs.Error(), "a.yaml:1: x: bad\na.yaml:2: y: worse"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var err error = errs
	if !errors.Is(err, ErrInvalid) {
		t.Error("errors.Is(Errors, ErrInvalid) = false")
	}
	var one *Error
	if !errors.As(err, &one) || one != errs[0] {
		t.Errorf("errors.As(Errors, *Error) = %v, want the first problem", one)
	}
	if (Errors{}).err() != nil || Errors(nil).err() != nil {
		t.Error("empty Errors.err() != nil")
	}
}

// TestValidateInGo checks Validate on a Config built in code: problems carry
// no line, and a valid Config passes.
func TestValidateInGo(t *testing.T) {
	valid := func() Config {
		cfg := Config{
			Models: []Model{{Name: "m", Tier: "t"}},
			Tiers:  []Tier{{Name: "t", Pools: []string{"p"}}},
			Pools:  []Pool{{Name: "p", Curve: costmodel.Curve{PerItem: time.Millisecond}}},
		}
		cfg.ApplyDefaults()
		return cfg
	}
	cfg := valid()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate(valid) = %v", err)
	}
	cfg.Pools[0].MaxBatch = 0
	cfg.Pools[0].Replicas.Min = -1
	want := "pools[0].max_batch: 0 must be >= 1\npools[0].replicas.min: -1 must be >= 0"
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
}

func TestPositionsLine(t *testing.T) {
	pos := positions{"": 2, "pools": 5, "pools[0]": 6, "pools[0].curve": 8}
	tests := []struct {
		field string
		want  int
	}{
		{"pools[0].curve", 8},
		{"pools[0].curve.base", 8},
		{"pools[0].replicas.min", 6},
		{"pools[3].name", 5},
		{"models", 2},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := pos.line(tt.field); got != tt.want {
				t.Errorf("line(%q) = %d, want %d", tt.field, got, tt.want)
			}
		})
	}
	if got := (positions{}).line("x.y"); got != 1 {
		t.Errorf("line in empty positions = %d, want 1", got)
	}
}
