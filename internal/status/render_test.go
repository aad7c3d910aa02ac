package status

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

func TestSparkOf(t *testing.T) {
	end := apptest.Epoch.Add(Window)
	at := func(secs ...int) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, apptest.Epoch.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	tests := []struct {
		name string
		at   []time.Time
		vals []float64
		want sparkline
	}{
		{name: "no samples", want: sparkline{Empty: true}},
		{name: "all zero lies on the bottom", at: at(0, 450, 900), vals: []float64{0, 0, 0},
			want: sparkline{Points: "0.0,22.0 48.0,22.0 96.0,22.0", LastX: 96, LastY: 22}},
		{name: "peak on top", at: at(0, 450, 900), vals: []float64{0, 10, 5},
			want: sparkline{Points: "0.0,22.0 48.0,2.0 96.0,12.0", LastX: 96, LastY: 12, Last: 5, Peak: 10}},
		{name: "outside the window clamps to its edges", at: at(-60, 960), vals: []float64{1, 1},
			want: sparkline{Points: "0.0,2.0 96.0,2.0", LastX: 96, LastY: 2, Last: 1, Peak: 1}},
		{name: "negative and NaN draw as 0", at: at(0, 900), vals: []float64{-3, math.NaN()},
			want: sparkline{Points: "0.0,22.0 96.0,22.0", LastX: 96, LastY: 22}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sparkOf(tt.at, tt.vals, end, Window)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sparkOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrendBlocks(t *testing.T) {
	end := apptest.Epoch.Add(Window)
	minutes := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, apptest.Epoch.Add(time.Duration(m)*time.Minute+30*time.Second))
		}
		return out
	}
	tests := []struct {
		name string
		at   []time.Time
		vals []float64
		want string
	}{
		{name: "no samples", want: "···············"},
		{name: "flat zero", at: minutes(0, 7, 14), vals: []float64{0, 0, 0}, want: "▁······▁······▁"},
		{name: "a ramp", at: minutes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
			vals: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, want: "▁▂▂▃▃▄▄▅▅▆▆▇▇██"},
		{name: "a minute's samples are averaged", at: append(minutes(0, 0), minutes(14)...), vals: []float64{0, 10, 10},
			want: "▅·············█"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trendBlocks(tt.at, tt.vals, end, Window); got != tt.want {
				t.Errorf("trendBlocks = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStatusTableGolden pins what `sluice status` prints for the status
// fixture (go test -update rewrites the golden files).
func TestTableGolden(t *testing.T) {
	tests := []struct {
		name, golden string
		in           func() input
		decisions    int
	}{
		{name: "planned", golden: "table.golden", in: statusFixture, decisions: -1},
		{name: "before the first plan", golden: "table_noplan.golden", decisions: 10, in: func() input {
			in := statusFixture()
			in.Plan, in.Planned, in.Decisions, in.Samples = Plan{}, false, nil, nil
			in.Layout.Budget.PerHour = 0
			return in
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := WriteTable(&out, build(tt.in()), tt.decisions); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, out.Bytes())
		})
	}
}

// TestStatusPageGolden pins the status page's structure for the status
// fixture: its elements with their ids and classes, and its text (go
// test -update rewrites the golden file).
func TestPageGolden(t *testing.T) {
	var page bytes.Buffer
	if err := WritePage(&page, build(statusFixture())); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&page)
	if err != nil {
		t.Fatal(err)
	}
	var outline strings.Builder
	writeOutline(&outline, doc, 0)
	checkGolden(t, "page.golden", []byte(outline.String()))
}

func TestPageEscapes(t *testing.T) {
	in := statusFixture()
	in.Decisions = []DecisionView{{At: statusNow, Error: `<img src=x onerror="alert(1)">`}}
	var page bytes.Buffer
	if err := WritePage(&page, build(in)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "<img") {
		t.Errorf("a decision's error reached the page unescaped:\n%s", page.String())
	}
	if !strings.Contains(page.String(), "&lt;img src=x") {
		t.Errorf("a decision's error is missing from the page")
	}
}

// writeOutline writes n's elements, one a line indented by depth, with
// their id, class and data-pool attributes, and their text; the style
// sheet's text and the drawings' geometry are left out.
func writeOutline(w *strings.Builder, n *html.Node, depth int) {
	switch n.Type {
	case html.ElementNode:
		fmt.Fprintf(w, "%s<%s", strings.Repeat("  ", depth), n.Data)
		for _, a := range n.Attr {
			if a.Key == "id" || a.Key == "class" || a.Key == "data-pool" || a.Key == "http-equiv" {
				fmt.Fprintf(w, " %s=%q", a.Key, a.Val)
			}
		}
		w.WriteString(">\n")
		if n.Data == "style" {
			return
		}
		depth++
	case html.TextNode:
		if text := strings.Join(strings.Fields(n.Data), " "); text != "" {
			fmt.Fprintf(w, "%s%q\n", strings.Repeat("  ", depth), text)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeOutline(w, c, depth)
	}
}

// checkGolden compares got with testdata/name, or writes it there under
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}
