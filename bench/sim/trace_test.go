package sim

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadTrace(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Second
	}{
		{
			name: "plain",
			in:   "second,rps,heavy_fraction\n0,400.0,0.20\n1,10,0\n",
			want: []Second{{RPS: 400, HeavyFraction: 0.2}, {RPS: 10}},
		},
		{
			name: "columns in another order, spaces and comments",
			in:   "# a comment\nheavy_fraction, rps, second\n0.5, 2, 0\n",
			want: []Second{{RPS: 2, HeavyFraction: 0.5}},
		},
		{
			name: "skipped seconds are idle",
			in:   "second,rps,heavy_fraction\n0,1,0\n3,2,1\n",
			want: []Second{{RPS: 1}, {}, {}, {RPS: 2, HeavyFraction: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ReadTrace(strings.NewReader(tt.in), "x.trace.csv")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tr.Seconds); diff != "" {
				t.Errorf("seconds (-want +got):\n%s", diff)
			}
			if tr.Name != "x" {
				t.Errorf("name = %q, want x", tr.Name)
			}
		})
	}
}

func TestReadTraceErrors(t *testing.T) {
	const header = "second,rps,heavy_fraction\n"
	tests := []struct {
		name string
		in   string
		want string // the error's place and gist
	}{
		{name: "empty file", in: "", want: "f.csv: empty file"},
		{name: "no seconds", in: header, want: "f.csv: no seconds"},
		{name: "missing column", in: "second,rps\n0,1\n", want: `f.csv:1:1: header "second,rps" lacks column "heavy_fraction"`},
		{name: "bad rps", in: header + "0,1,0\n1,abc,0\n", want: `f.csv:3:3: rps "abc"`},
		{name: "negative rps", in: header + "0,-1,0\n", want: `f.csv:2:3: rps "-1"`},
		{name: "heavy fraction above 1", in: header + "0,1,1.5\n", want: `f.csv:2:5: heavy_fraction "1.5"`},
		{name: "fractional second", in: header + "0.5,1,0\n", want: `f.csv:2:1: second "0.5"`},
		{name: "second out of order", in: header + "0,1,0\n1,1,0\n1,1,0\n", want: "f.csv:4:1: second 1: want seconds in increasing order"},
		{name: "missing field", in: header + "0,1\n", want: "f.csv:2:1: wrong number of fields"},
		{name: "bad quote", in: header + "0,\"1,0\n", want: "f.csv:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTrace(strings.NewReader(tt.in), "f.csv")
			if !errors.Is(err, ErrTrace) {
				t.Fatalf("error %v does not wrap ErrTrace", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
}

func TestLoadTrace(t *testing.T) {
	tr, err := LoadTrace("testdata/tiny.trace.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Name != "tiny" || tr.Duration() != 40 || tr.Peak() != 180 {
		t.Errorf("got %q, %d s, peak %g; want tiny, 40 s, peak 180", tr.Name, tr.Duration(), tr.Peak())
	}
	if _, err := LoadTrace("testdata/missing.trace.csv"); !errors.Is(err, ErrTrace) {
		t.Errorf("missing file: error %v does not wrap ErrTrace", err)
	}
}
