package status

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed page.html.tmpl
var pageSource string

// pageTemplate renders a page. It uses no external asset and no
// script: the page refreshes itself with a meta tag.
var pageTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"usd":       fmtUSD,
	"rate":      fmtRate,
	"share":     fmtShare,
	"latency":   fmtLatency,
	"clock":     fmtClock,
	"stamp":     fmtStamp,
	"kind":      fmtKind,
	"desired":   fmtDesired,
	"count":     fmtCount,
	"budget":    fmtBudget,
	"mix":       fmtMix,
	"mode":      fmtMode,
	"lines":     decisionLines,
	"hasPrefix": strings.HasPrefix,
}).Parse(pageSource))

// refreshSeconds is how often the page reloads itself, in seconds: the
// time between two samples.
const refreshSeconds = int(Step / time.Second)

// barPixels is the width of the budget and spot bars, in CSS pixels.
const barPixels = 240

// page is what the template renders: a view and its drawings.
type page struct {
	View View
	// Refresh is the page's reload period in seconds.
	Refresh int
	// Span says how long the trends' time axis is: the time the samples
	// cover, rounded up to whole ticks, at most the view's window.
	Span string
	// ModeClass is the scaler badge's CSS class.
	ModeClass string
	Pools     []poolRow
	// Fleet draws the fleet's trends.
	Fleet sparkSet
	// BarWidth is the bars' width; BudgetBar the spend rate's part of it,
	// PlannedBar where the planned price is, SpotBar the spot share's.
	BarWidth                       int
	BudgetBar, PlannedBar, SpotBar float64
}

// poolRow is one pool's row: its facts and its trends drawn.
type poolRow struct {
	PoolView
	Sparks sparkSet
}

// pageOf lays v out for the template.
func pageOf(v View) page {
	ax := trendAxis(v)
	p := page{
		View: v, Refresh: refreshSeconds, Span: fmtSpan(ax.Span),
		ModeClass: strings.ReplaceAll(fmtMode(v), " ", "-"),
		Fleet:     sparksOf(v.Fleet.Trend, ax),
		BarWidth:  barPixels,
		BudgetBar: barWidth(v.Budget.Used, barPixels), PlannedBar: barWidth(v.Budget.PlannedUsed, barPixels),
		SpotBar: barWidth(v.Fleet.SpotShare, barPixels),
	}
	for _, pv := range v.Pools {
		p.Pools = append(p.Pools, poolRow{PoolView: pv, Sparks: sparksOf(pv.Trend, ax)})
	}
	return p
}

// trendAxis is the time axis every trend of v is drawn on: fitted to the
// samples from the oldest of any trend up to v.At, within v.Window.
func trendAxis(v View) timeAxis {
	var first time.Time
	has := false
	for _, t := range append([]TrendView{v.Fleet.Trend}, poolTrends(v)...) {
		if len(t.At) > 0 && (!has || t.At[0].Before(first)) {
			first, has = t.At[0], true
		}
	}
	return fitAxis(first, has, v.At, max(v.Window, minSpan))
}

func poolTrends(v View) []TrendView {
	out := make([]TrendView, len(v.Pools))
	for i, p := range v.Pools {
		out[i] = p.Trend
	}
	return out
}

// WritePage writes v as the status page to w.
func WritePage(w io.Writer, v View) error {
	return pageTemplate.Execute(w, pageOf(v))
}
