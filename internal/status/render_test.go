package status

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/html"
)

func TestSpark(t *testing.T) {
	f := newFrame(176, 56, 30, 166, 6, 42)
	ax := timeAxis{End: epoch.Add(Window), Span: Window, Step: 5 * time.Minute}
	at := func(secs ...int) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, epoch.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	tests := []struct {
		name string
		at   []time.Time
		vals []float64
		want sparkline
	}{
		{name: "no samples", want: sparkline{Empty: true, Top: 1, TopLabel: "1"}},
		{name: "all zero lies on the bottom", at: at(0, 450, 900), vals: []float64{0, 0, 0},
			want: sparkline{Points: "30.0,42.0 98.0,42.0 166.0,42.0", LastX: 166, LastY: 42, Top: 1, TopLabel: "1"}},
		{name: "a round peak on top", at: at(0, 450, 900), vals: []float64{0, 10, 5},
			want: sparkline{Points: "30.0,42.0 98.0,6.0 166.0,24.0", LastX: 166, LastY: 24, Last: 5, Peak: 10, Top: 10, TopLabel: "10"}},
		{name: "the top rounded up from the peak", at: at(0, 900), vals: []float64{1.7, 0.85},
			want: sparkline{Points: "30.0,11.4 166.0,26.7", LastX: 166, LastY: 26.7, Last: 0.85, Peak: 1.7, Top: 2, TopLabel: "2"}},
		{name: "outside the axis clamps to its edges", at: at(-60, 960), vals: []float64{1, 1},
			want: sparkline{Points: "30.0,6.0 166.0,6.0", LastX: 166, LastY: 6, Last: 1, Peak: 1, Top: 1, TopLabel: "1"}},
		{name: "negative and NaN draw as 0", at: at(0, 900), vals: []float64{-3, math.NaN()},
			want: sparkline{Points: "30.0,42.0 166.0,42.0", LastX: 166, LastY: 42, Top: 1, TopLabel: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.spark(tt.at, tt.vals, ax)
			got.LastY = math.Round(got.LastY*10) / 10
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(sparkline{}, "Frame", "Ticks", "Span")); diff != "" {
				t.Errorf("spark (-want +got):\n%s", diff)
			}
			wantTicks := []sparkTick{{30, "−15m"}, {75.33333333333334, "−10m"}, {120.66666666666667, "−5m"}, {166, "now"}}
			if diff := cmp.Diff(wantTicks, got.Ticks, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("ticks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFitAxis checks that the time axis fits the samples: a run of two
// minutes is drawn over two minutes, not the rightmost part of 15; the
// span is whole ticks, at most four intervals, between a minute and the
// window.
func TestFitAxis(t *testing.T) {
	end := epoch.Add(time.Hour)
	tests := []struct {
		name    string
		covered time.Duration // since the first sample; < 0 for none
		span    time.Duration
		labels  string
	}{
		{"no sample", -1, time.Minute, "−60s −45s −30s −15s now"},
		{"one sample", 0, time.Minute, "−60s −45s −30s −15s now"},
		{"ten seconds", 10 * time.Second, time.Minute, "−60s −45s −30s −15s now"},
		{"a minute and a bit", 65 * time.Second, 90 * time.Second, "−90s −60s −30s now"},
		{"two minutes", 2 * time.Minute, 2 * time.Minute, "−120s −90s −60s −30s now"},
		{"two minutes and five seconds", 125 * time.Second, 3 * time.Minute, "−3m −2m −1m now"},
		{"seven minutes", 7 * time.Minute, 8 * time.Minute, "−8m −6m −4m −2m now"},
		{"ten minutes", 10 * time.Minute, 10 * time.Minute, "−10m −5m now"},
		{"the whole window", 15 * time.Minute, 15 * time.Minute, "−15m −10m −5m now"},
		{"more than the window", time.Hour, 15 * time.Minute, "−15m −10m −5m now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ax := fitAxis(end.Add(-tt.covered), tt.covered >= 0, end, Window)
			var labels []string
			for _, tk := range ax.ticks() {
				labels = append(labels, tk.Label)
			}
			if ax.Span != tt.span || strings.Join(labels, " ") != tt.labels {
				t.Errorf("span %v, ticks %q; want %v, %q", ax.Span, strings.Join(labels, " "), tt.span, tt.labels)
			}
			if tt.covered >= time.Minute && tt.covered <= Window {
				if share := float64(tt.covered) / float64(ax.Span); share < 0.6 {
					t.Errorf("the samples fill %.0f %% of the axis, want at least 60 %%", 100*share)
				}
			}
		})
	}
}

func TestAxisLabels(t *testing.T) {
	tests := []struct {
		peak float64
		top  string
	}{
		{0, "0"}, {0.3, "0.3"}, {0.31, "0.4"}, {1.7, "2"}, {3, "3"}, {11, "12"}, {13.7, "15"},
		{95, "100"}, {101, "120"}, {1234, "1.5k"}, {45000, "50k"}, {2.2e6, "2.5M"}, {math.NaN(), "0"},
	}
	for _, tt := range tests {
		if got := fmtAxis(niceCeil(tt.peak)); got != tt.top {
			t.Errorf("axis top for a peak of %v: %q, want %q", tt.peak, got, tt.top)
		}
	}
	for d, want := range map[time.Duration]string{45 * time.Second: "45 s", time.Minute: "1 minute",
		150 * time.Second: "2 min 30 s", 15 * time.Minute: "15 minutes"} {
		if got := fmtSpan(d); got != want {
			t.Errorf("fmtSpan(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestSparklineGolden pins the SVG of a sparkline (go test -update
// rewrites the golden files): a two-minute run, the whole window, and no
// sample yet.
func TestSparklineGolden(t *testing.T) {
	end := epoch.Add(Window)
	series := func(n int, every time.Duration) ([]time.Time, []float64) {
		var at []time.Time
		var vals []float64
		for i := range n {
			at = append(at, end.Add(-time.Duration(n-1-i)*every))
			vals = append(vals, 10+8*math.Sin(float64(i)/3))
		}
		return at, vals
	}
	tests := []struct {
		golden string
		n      int
		every  time.Duration
	}{
		{"spark_two_minutes.svg", 25, 5 * time.Second},
		{"spark_window.svg", 181, 5 * time.Second},
		{"spark_empty.svg", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			at, vals := series(tt.n, tt.every)
			var first time.Time
			if len(at) > 0 {
				first = at[0]
			}
			var out bytes.Buffer
			s := frame.spark(at, vals, fitAxis(first, len(at) > 0, end, Window))
			if err := pageTemplate.ExecuteTemplate(&out, "spark", s); err != nil {
				t.Fatal(err)
			}
			out.WriteString("\n")
			checkGolden(t, tt.golden, out.Bytes())
		})
	}
}

func TestTrendBlocks(t *testing.T) {
	end := epoch.Add(Window)
	minutes := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, epoch.Add(time.Duration(m)*time.Minute+30*time.Second))
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
// test -update rewrites the golden file); the same after a run of two
// minutes, whose trends span two minutes.
func TestPageGolden(t *testing.T) {
	tests := []struct {
		golden string
		since  time.Duration // the samples kept, back from the fixture's time
	}{
		{"page.golden", time.Hour},
		{"page_two_minutes.golden", 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			in := statusFixture()
			in.Samples = slices.DeleteFunc(in.Samples, func(s sample) bool { return s.At.Before(in.Now.Add(-tt.since)) })
			var page bytes.Buffer
			if err := WritePage(&page, build(in)); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(&page)
			if err != nil {
				t.Fatal(err)
			}
			var outline strings.Builder
			writeOutline(&outline, doc, 0)
			checkGolden(t, tt.golden, []byte(outline.String()))
		})
	}
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
