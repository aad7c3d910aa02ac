package main

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed status_page.html.tmpl
var statusPageSource string

// statusTemplate renders a statusPage. It uses no external asset and no
// script: the page refreshes itself with a meta tag.
var statusTemplate = template.Must(template.New("status").Funcs(template.FuncMap{
	"usd":         fmtUSD,
	"rate":        fmtRate,
	"share":       fmtShare,
	"latency":     fmtLatency,
	"clock":       fmtClock,
	"stamp":       fmtStamp,
	"kind":        fmtKind,
	"desired":     fmtDesired,
	"count":       fmtCount,
	"budget":      fmtBudget,
	"mix":         fmtMix,
	"mode":        fmtMode,
	"lines":       decisionLines,
	"hasPrefix":   strings.HasPrefix,
	"sparkWidth":  func() int { return sparkWidth },
	"sparkHeight": func() int { return sparkHeight },
}).Parse(statusPageSource))

// statusRefresh is how often the page reloads itself, in seconds: the
// time between two samples.
const statusRefresh = int(statusStep / time.Second)

// statusBarWidth is the width of the budget and spot bars, in CSS pixels.
const statusBarWidth = 240

// statusPage is what the template renders: a view and its drawings.
type statusPage struct {
	View statusView
	// Refresh is the page's reload period in seconds; WindowMinutes the
	// trends' span.
	Refresh, WindowMinutes int
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
	poolStatusView
	Sparks sparkSet
}

// pageOf lays v out for the template.
func pageOf(v statusView) statusPage {
	p := statusPage{
		View: v, Refresh: statusRefresh, WindowMinutes: int(v.Window / time.Minute),
		ModeClass: strings.ReplaceAll(fmtMode(v), " ", "-"),
		Fleet:     sparksOf(v.Fleet.Trend, v.At, v.Window),
		BarWidth:  statusBarWidth,
		BudgetBar: barWidth(v.Budget.Used, statusBarWidth), PlannedBar: barWidth(v.Budget.PlannedUsed, statusBarWidth),
		SpotBar: barWidth(v.Fleet.SpotShare, statusBarWidth),
	}
	for _, pv := range v.Pools {
		p.Pools = append(p.Pools, poolRow{poolStatusView: pv, Sparks: sparksOf(pv.Trend, v.At, v.Window)})
	}
	return p
}

// renderStatusHTML writes v as the status page to w.
func renderStatusHTML(w io.Writer, v statusView) error {
	return statusTemplate.Execute(w, pageOf(v))
}
