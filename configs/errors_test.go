package configs

import (
	"errors"
	"testing"
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
