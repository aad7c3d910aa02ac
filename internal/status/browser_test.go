//go:build unix

package status

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sluice-gateway/sluice/costmodel"
)

// chromiumFlags run Chromium headless, alone and offline but for the
// page.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--hide-scrollbars",
}

// TestPageInChromium serves the status page of the bench fleet's pools on
// loopback, renders it in headless Chromium, takes
// a screenshot and checks through the DOM that every pool is shown with
// its trends.
func TestPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped in -short mode")
	}
	bin := requireTool(t, "chromium", "chromium")
	layout := benchLayout()
	tb := newTestBoard(t, layout)
	fillBoard(tb, layout)
	dir := t.TempDir()

	shot := filepath.Join(dir, "status.png")
	dom := runChromium(t, bin, filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1280,1600", "--dump-dom", tb.url+"/")
	checkScreenshot(t, shot, 1280, 1600)
	t.Logf("screenshot: %s", shot)
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parsing the DOM: %v", err)
	}
	for _, p := range layout.Fleet.Pools {
		row := findByID(doc, "pool-"+p.Name)
		if row == nil {
			t.Errorf("pool %s: no row in the DOM", p.Name)
			continue
		}
		if text := textOf(row); !strings.Contains(text, p.Name) || !strings.Contains(text, fmtKind(p.Spot)) {
			t.Errorf("pool %s: row reads %q, want its name and kind", p.Name, text)
		}
		if n := countClass(row, "spark"); n != 3 {
			t.Errorf("pool %s: %d sparklines, want 3 (rate, replicas, $/h)", p.Name, n)
		}
		checkSparks(t, p.Name, row)
	}
	for _, id := range []string{"budget", "mix", "fleet-trends", "decisions"} {
		if findByID(doc, id) == nil {
			t.Errorf("no #%s in the DOM", id)
		}
	}
	if text := textOf(findByID(doc, "decisions")); !strings.Contains(text, "gpu-spot 1→2: forecast over capacity") {
		t.Errorf("decisions read %q, want the gpu-spot change and its reason", text)
	}
}

// checkSparks checks the sparklines of a pool's row, whose samples cover
// ten minutes: each has its size, its axes' labels (a round top, 0,
// "−10m" to "now"), and its line starts at the left of its plot, since
// the time axis fits the samples.
func checkSparks(t *testing.T, pool string, row *html.Node) {
	t.Helper()
	for _, svg := range byClass(row, "spark") {
		if w, h := attr(svg, "width"), attr(svg, "height"); w != fmt.Sprint(frame.Width) || h != fmt.Sprint(frame.Height) {
			t.Errorf("pool %s: sparkline of %s × %s, want %v × %v", pool, w, h, frame.Width, frame.Height)
		}
		var times, values []string
		for _, n := range byClass(svg, "time") {
			times = append(times, textOf(n))
		}
		for _, n := range byClass(svg, "value") {
			values = append(values, textOf(n))
		}
		if got := strings.Join(times, " "); got != "−10m −5m now" {
			t.Errorf("pool %s: time axis %q, want −10m −5m now", pool, got)
		}
		if len(values) != 2 || values[1] != "0" || values[0] == "" {
			t.Errorf("pool %s: value axis %q, want a top and 0", pool, values)
		}
		line := findTag(svg, "polyline")
		if line == nil {
			t.Errorf("pool %s: a sparkline without its line", pool)
			continue
		}
		first, _, _ := strings.Cut(attr(line, "points"), ",")
		if x, err := strconv.ParseFloat(first, 64); err != nil || x > frame.Left+0.1*frame.PlotWidth {
			t.Errorf("pool %s: the line starts at x %q, want within the plot's first tenth (from %v)", pool, first, frame.Left)
		}
	}
}

// byClass returns the elements of n's tree with class among theirs.
func byClass(n *html.Node, class string) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ") {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, byClass(c, class)...)
	}
	return out
}

// findTag returns the first element of n's tree named tag, or nil.
func findTag(n *html.Node, tag string) *html.Node {
	if n == nil || n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := findTag(c, tag); found != nil {
			return found
		}
	}
	return nil
}

// benchLayout is the layout of the bench fleet (configs/bench.yaml): two
// CPU pools, a spot GPU pool and an on-demand one.
func benchLayout() Layout {
	ms := time.Millisecond
	return Layout{
		Fleet: costmodel.Fleet{
			Pools: []costmodel.Pool{
				{Name: "cpu-small", PricePerHour: 0.10}, {Name: "cpu-large", PricePerHour: 0.50},
				{Name: "gpu-spot", PricePerHour: 1.20, Spot: true}, {Name: "gpu-ondemand", PricePerHour: 3.00},
			},
			Bounds: map[string]costmodel.Bounds{
				"cpu-small": {Min: 1, Initial: 1, Max: 60}, "cpu-large": {Initial: 1, Max: 30},
				"gpu-spot": {Initial: 1, Max: 16}, "gpu-ondemand": {Initial: 1, Max: 16},
			},
		},
		SLOs:   map[string]time.Duration{"cpu-small": 500 * ms, "cpu-large": 500 * ms, "gpu-spot": 500 * ms, "gpu-ondemand": 500 * ms},
		Budget: Budget{PerHour: 30},
	}
}

// fillBoard gives tb's pools replicas, traffic, a plan, a decision and
// ten minutes of samples, one every 30 s.
func fillBoard(tb *testBoard, layout Layout) {
	replicas := map[string]int{}
	for i, p := range layout.Fleet.Pools {
		tb.feed.rates[p.Name] = float64(10 * (i + 1))
		replicas[p.Name] = i + 1
	}
	tb.feed.plan = Plan{Replicas: replicas, CostPerHour: 12.5, Tiers: []TierView{
		{Name: "heavy", Demand: 20, Capacity: 40, Shed: "none"}, {Name: "light", Demand: 100, Capacity: 120, Shed: "none"},
	}}
	tb.feed.planned = true
	tb.feed.history = []DecisionView{{At: epoch, Changes: []ChangeView{
		{Pool: "gpu-spot", From: 1, To: 2, Reason: "forecast over capacity", USDPerHour: 1.2, Text: "gpu-spot 1→2: forecast over capacity; +1.20 $/h"},
	}}}
	for i := range 20 {
		for j, p := range layout.Fleet.Pools {
			tb.feed.set(p.Name, 1+(i+j)%4, i%2)
		}
		tb.sample(context.Background())
		tb.clk.Advance(30 * time.Second)
	}
}

// runChromium runs Chromium headless on a fresh profile with args and
// returns its standard output; it fails the test when Chromium fails or
// takes more than two minutes. Chromium's helper processes are killed
// with it.
func runChromium(t *testing.T, bin, profile string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append(append([]string{"--user-data-dir=" + profile}, chromiumFlags...), args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// checkScreenshot checks that path is a PNG of width × height pixels with
// more than a background on it.
func checkScreenshot(t *testing.T, path string, width, height int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	colors := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && len(colors) <= 16; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colors) <= 16 {
		t.Errorf("screenshot has %d colors: a blank page?", len(colors))
	}
}

// findByID returns the element of n's tree with id, or nil.
func findByID(n *html.Node, id string) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && attr(n, "id") == id {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := findByID(c, id); found != nil {
			return found
		}
	}
	return nil
}

// countClass counts the elements of n's tree with class among theirs.
func countClass(n *html.Node, class string) int { return len(byClass(n, class)) }

// textOf returns the text of n's tree, its runs of white space made one
// space; "" for nil.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if n != nil {
		walk(n)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
