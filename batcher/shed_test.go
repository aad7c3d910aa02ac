package batcher

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseShedLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    ShedLevel
		wantErr bool
	}{
		{in: "none", want: ShedNone},
		{in: "low", want: ShedLow},
		{in: "normal", want: ShedNormal},
		{in: "Normal", want: ShedNormal},
		{in: "", wantErr: true},
		{in: "all", wantErr: true},
		{in: "high", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShedLevel(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadShedLevel) {
					t.Fatalf("ParseShedLevel(%q) error = %v, want ErrBadShedLevel", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseShedLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestShedLevelJSON(t *testing.T) {
	for _, l := range []ShedLevel{ShedNone, ShedLow, ShedNormal} {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back ShedLevel
		if err := json.Unmarshal(b, &back); err != nil || back != l {
			t.Errorf("%v: round trip through %s gave %v, %v", l, b, back, err)
		}
	}
	if _, err := json.Marshal(ShedLevel(7)); !errors.Is(err, ErrBadShedLevel) {
		t.Errorf("marshalling shed level 7: error %v, want ErrBadShedLevel", err)
	}
	if s := ShedLevel(7).String(); s != "shed(7)" {
		t.Errorf("ShedLevel(7).String() = %q, want shed(7)", s)
	}
}

func TestShedLevelSheds(t *testing.T) {
	tests := []struct {
		level ShedLevel
		want  []bool // sheds low, normal, high, critical
	}{
		{ShedNone, []bool{false, false, false, false}},
		{ShedLow, []bool{true, false, false, false}},
		{ShedNormal, []bool{true, true, false, false}},
		{ShedLevel(7), []bool{false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			var got []bool
			for _, p := range []Priority{Low, Normal, High, Critical} {
				got = append(got, tt.level.Sheds(p))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sheds low, normal, high, critical (-want +got):\n%s", diff)
			}
		})
	}
}
