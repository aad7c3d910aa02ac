package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// The targets the costaware policy is judged on, checked in results.md.
const (
	targetHigh      = 0.995 // slo_attainment.high, every scenario
	targetAll       = 0.99  // slo_attainment.all, on steady and azure-conv
	targetVsOracle  = 1.5   // cost at most this times the oracle's
	targetVsHPA     = 0.7   // cost at most this times hpa's
	policyCostAware = "costaware"
)

// WriteResults writes a matrix's results as Markdown: heading, a table per
// scenario with one row per policy, and, when the costaware policy ran,
// its targets per scenario. intro, if not empty, is written under the
// heading.
func WriteResults(w io.Writer, cells []Cell, intro string) error {
	var b strings.Builder
	b.WriteString("# Simulation results\n\n")
	if intro != "" {
		b.WriteString(intro + "\n\n")
	}
	for _, sc := range scenarioNames(cells) {
		writeScenario(&b, sc, cellsOf(cells, sc))
	}
	writeTargets(&b, cells)
	_, err := io.WriteString(w, b.String())
	return err
}

// scenarioNames returns the scenarios of cells in order of appearance.
func scenarioNames(cells []Cell) []string {
	var names []string
	for _, c := range cells {
		if !slices.Contains(names, c.Scenario) {
			names = append(names, c.Scenario)
		}
	}
	return names
}

// cellsOf returns the cells of scenario sc.
func cellsOf(cells []Cell, sc string) []Cell {
	var out []Cell
	for _, c := range cells {
		if c.Scenario == sc {
			out = append(out, c)
		}
	}
	return out
}

// costOf returns the cost of policy in cells, and false when it did not
// run or failed.
func costOf(cells []Cell, policy string) (float64, bool) {
	r, ok := reportOf(cells, policy)
	return r.CostUSD, ok
}

// reportOf returns the report of policy's run among cells; false when it
// did not run or failed.
func reportOf(cells []Cell, policy string) (Report, bool) {
	for _, c := range cells {
		if c.Policy == policy && c.Result != nil {
			return c.Result.Report, true
		}
	}
	return Report{}, false
}

// writeScenario writes one scenario's table.
func writeScenario(b *strings.Builder, sc string, cells []Cell) {
	fmt.Fprintf(b, "## %s\n\n", sc)
	b.WriteString("| policy | cost $ | × oracle | × hpa | $/M served | SLO all | light | heavy | high | normal | low | p50 ms | p95 ms | p99 ms | lost | rejected | retried |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	oracle, okO := costOf(cells, "oracle")
	hpa, okH := costOf(cells, "hpa")
	for _, c := range cells {
		if c.Err != nil {
			fmt.Fprintf(b, "| %s | error: %s |||||||||||||||\n", c.Policy, strings.ReplaceAll(c.Err.Error(), "|", "/"))
			continue
		}
		r := c.Result.Report
		a := r.SLOAttainment
		fmt.Fprintf(b, "| %s | %.2f | %s | %s | %.2f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.0f | %.0f | %.0f | %d | %s | %d |\n",
			c.Policy, r.CostUSD, ratioText(r.CostUSD, oracle, okO), ratioText(r.CostUSD, hpa, okH), r.CostPerMillionUSD,
			a.All, a.Light, a.Heavy, a.High, a.Normal, a.Low,
			r.LatencyMS.P50, r.LatencyMS.P95, r.LatencyMS.P99, r.Lost, rejectedText(r.Rejected), r.Retried)
	}
	b.WriteString("\n")
}

// ratioText formats x/of, or "–" when of is unknown or zero.
func ratioText(x, of float64, ok bool) string {
	if !ok || of <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", x/of)
}

// rejectedText lists the non-zero rejection counts, "0" when none.
func rejectedText(m map[string]int64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}

// sortedKeys returns m's keys sorted.
func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeTargets checks the costaware policy's targets per scenario.
func writeTargets(b *strings.Builder, cells []Cell) {
	if _, ok := costOf(cells, policyCostAware); !ok {
		return
	}
	b.WriteString("## Targets of costaware\n\n")
	fmt.Fprintf(b, "| scenario | lost = 0 | high ≥ %.3f | all ≥ %.2f | all ≥ hpa's | cost ≤ %.1f× oracle | cost ≤ %.1f× hpa |\n",
		targetHigh, targetAll, targetVsOracle, targetVsHPA)
	b.WriteString("|---|:-:|:-:|:-:|:-:|:-:|:-:|\n")
	for _, sc := range scenarioNames(cells) {
		cs := cellsOf(cells, sc)
		for _, c := range cs {
			if c.Policy == policyCostAware && c.Result != nil {
				writeTargetRow(b, sc, c.Result.Report, cs)
			}
		}
	}
	b.WriteString("\n")
}

// writeTargetRow writes one scenario's checks.
func writeTargetRow(b *strings.Builder, sc string, r Report, cs []Cell) {
	oracle, okO := costOf(cs, "oracle")
	hpa, okH := reportOf(cs, "hpa")
	all := "–"
	if sc == "steady" || sc == "azure-conv" { // where slo_attainment.all is judged
		all = check(r.SLOAttainment.All >= targetAll)
	}
	vsHPA := "–"
	if okH {
		vsHPA = fmt.Sprintf("%s (%.4f)", check(r.SLOAttainment.All >= hpa.SLOAttainment.All), hpa.SLOAttainment.All)
	}
	fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", sc, check(r.Lost == 0), check(r.SLOAttainment.High >= targetHigh),
		all, vsHPA, checkRatio(r.CostUSD, oracle, okO, targetVsOracle), checkRatio(r.CostUSD, hpa.CostUSD, okH, targetVsHPA))
}

// check renders a pass or a fail.
func check(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// checkRatio checks x <= limit × of, "–" when of is unknown.
func checkRatio(x, of float64, ok bool, limit float64) string {
	if !ok || of <= 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%.2f)", check(x <= limit*of), x/of)
}
