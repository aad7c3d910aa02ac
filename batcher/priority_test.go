package batcher

import (
	"errors"
	"testing"
)

func TestParsePriority(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Priority
		wantErr bool
	}{
		{name: "critical", in: "critical", want: Critical},
		{name: "high", in: "high", want: High},
		{name: "normal", in: "normal", want: Normal},
		{name: "low", in: "low", want: Low},
		{name: "best effort alias", in: "best-effort", want: Low},
		{name: "letter case ignored", in: "HIGH", want: High},
		{name: "empty", in: "", wantErr: true},
		{name: "unknown", in: "urgent", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePriority(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadPriority) {
					t.Fatalf("ParsePriority(%q) error = %v, want ErrBadPriority", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePriority(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPriorityRoundTrip(t *testing.T) {
	for _, p := range []Priority{Critical, High, Normal, Low} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatalf("%d.MarshalText: %v", p, err)
		}
		var got Priority
		if err := got.UnmarshalText(b); err != nil || got != p {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, got, err, p)
		}
	}
	if s := Priority(7).String(); s != "priority(7)" {
		t.Errorf("Priority(7).String() = %q, want priority(7)", s)
	}
	if _, err := Priority(7).MarshalText(); !errors.Is(err, ErrBadPriority) {
		t.Errorf("Priority(7).MarshalText error = %v, want ErrBadPriority", err)
	}
	var zero Priority
	if zero != Normal {
		t.Errorf("zero Priority = %v, want normal", zero)
	}
}
