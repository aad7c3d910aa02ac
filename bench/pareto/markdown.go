package pareto

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/sluice-gateway/sluice/bench/sim"
)

// WriteMarkdown writes the result as Markdown: how to read it, the
// families and their grids, then per scenario its bounds, a table of the
// cheapest configuration of each family at each level, the front of the
// costaware family with its default marked, and the runs over budget.
// intro, if not empty, is written under the heading.
func WriteMarkdown(w io.Writer, res *Result, intro string) error {
	var b strings.Builder
	b.WriteString("# Cost at equal SLO\n\n")
	if intro != "" {
		b.WriteString(intro + "\n\n")
	}
	writeReading(&b, res)
	writeFamilies(&b, res.Families)
	for _, s := range res.Scenarios {
		writeScenario(&b, res, s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeReading says how the tables are made.
func writeReading(b *strings.Builder, res *Result) {
	seeds := make([]string, len(res.Seeds))
	for i, s := range res.Seeds {
		seeds[i] = fmt.Sprint(s)
	}
	fmt.Fprintf(b, "Every configuration runs with seeds %s; figures are means over the seeds, the lowest and highest in brackets. ",
		strings.Join(seeds, ", "))
	fmt.Fprintf(b, "A configuration reaches a level when the SLO attainment of all requests is at least the level, "+
		"that of high-priority requests at least %g and no request is lost. ", HighTarget)
	if res.BudgetUSDPerHour > 0 {
		fmt.Fprintf(b, "Every run has the same budget cap, %g $/h: the simulator refuses any replica start that would take "+
			"the fleet over it, whatever the policy (⚠ marks a run whose fleet went over it anyway, by a price rise). ", res.BudgetUSDPerHour)
	}
	b.WriteString("The cheapest cost at a level lies between the lower bound (every row at the cheapest price per row, " +
		"fractional replicas, no queueing, no cold start) and oracle@level, the hindsight plan at the largest utilization " +
		"cap whose run reaches the level: a feasible plan, so the best policy costs at most that. " +
		"The cheapest at each level is in bold, with every family that ties it to the cent.\n\n")
}

// writeFamilies lists the families and their grids.
func writeFamilies(b *strings.Builder, fams []sim.Family) {
	b.WriteString("## Families\n\n")
	for _, f := range fams {
		fmt.Fprintf(b, "- **%s**: %s.\n", f.Name, f.Doc)
		for line := range strings.SplitSeq(f.GridText(), "\n") {
			if line != "" {
				fmt.Fprintf(b, "  - %s\n", line)
			}
		}
	}
	b.WriteString("\n")
}

// writeScenario writes one scenario's bounds, table, front and budget
// notes.
func writeScenario(b *strings.Builder, res *Result, s ScenarioBounds) {
	fmt.Fprintf(b, "## %s\n\n", s.Scenario)
	writeBounds(b, res, s)
	b.WriteString("| family |")
	for _, l := range res.Levels {
		fmt.Fprintf(b, " SLO ≥ %s |", levelKey(l))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(res.Levels)) + "\n")
	for _, f := range res.Families {
		fmt.Fprintf(b, "| %s |", f.Name)
		for _, l := range res.Levels {
			fmt.Fprintf(b, " %s |", levelCell(res, s.Scenario, f.Name, l))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	writeFront(b, res, s.Scenario, "costaware")
	writeOverBudget(b, res, s.Scenario)
}

// writeBounds writes the scenario's lower bound and oracle@level.
func writeBounds(b *strings.Builder, res *Result, s ScenarioBounds) {
	b.WriteString("Bounds: lower ")
	if lb := s.Bounds.LowerUSD; lb != nil {
		fmt.Fprintf(b, "%.2f $", *lb)
	} else {
		b.WriteString("not computed")
	}
	for _, l := range res.Levels {
		key := levelKey(l)
		if cost := s.Bounds.OracleUSD[key]; cost != nil {
			fmt.Fprintf(b, "; oracle@%s %.2f $ (cap %g)", key, *cost, *s.Bounds.OracleCap[key])
		} else {
			fmt.Fprintf(b, "; oracle@%s unreachable%s", key, closestText(res.Of(s.Scenario, OracleFamily)))
		}
	}
	b.WriteString(".\n\n")
}

// levelCell writes the cheapest run of family at level, bold when no
// family is cheaper, or why there is none.
func levelCell(res *Result, scenario, family string, level float64) string {
	runs := res.Of(scenario, family)
	r, ok := Cheapest(runs, level)
	if !ok {
		return "unreachable" + closestText(runs)
	}
	cost := fmt.Sprintf("%.2f $", r.CostUSD)
	if least, _ := leastCost(res, scenario, level); cents(r.CostUSD) == cents(least) {
		cost = "**" + cost + "**"
	}
	config := r.label
	if r.Default {
		config = "default"
	}
	return fmt.Sprintf("%s (%.2f–%.2f) · %.4f (%.4f–%.4f) · %s%s", cost, r.Spread.CostUSD[0], r.Spread.CostUSD[1],
		r.SLOAll, r.Spread.SLOAll[0], r.Spread.SLOAll[1], config, budgetMark(r))
}

// closestText says how close the best of runs came: " (best A at C $)".
func closestText(runs []Run) string {
	r, ok := Closest(runs)
	if !ok {
		return " (every run failed)"
	}
	return fmt.Sprintf(" (best %.4f at %.2f $)", r.SLOAll, r.CostUSD)
}

// leastCost returns the cost of the cheapest run of any family reaching
// level on scenario; false when none reaches it.
func leastCost(res *Result, scenario string, level float64) (float64, bool) {
	least, found := 0.0, false
	for _, f := range res.Families {
		if r, ok := Cheapest(res.Of(scenario, f.Name), level); ok && (!found || r.CostUSD < least) {
			least, found = r.CostUSD, true
		}
	}
	return least, found
}

// cents rounds a cost in USD to the cents the tables show.
func cents(usd float64) int64 { return int64(math.Round(usd * 100)) }

// budgetMark flags a run over the budget.
func budgetMark(r Run) string {
	if r.OverBudget() {
		return fmt.Sprintf(" ⚠ %.1f $/h", r.MaxUSDPerHour)
	}
	return ""
}

// writeFront lists family's front on scenario with its default marked.
func writeFront(b *strings.Builder, res *Result, scenario, family string) {
	runs := res.Of(scenario, family)
	if len(runs) == 0 {
		return
	}
	front := Front(runs)
	parts := make([]string, 0, len(front))
	onFront := false
	for _, r := range front {
		text := fmt.Sprintf("%.2f $ at %.4f (%s)", r.CostUSD, r.SLOAll, r.label)
		if r.Default {
			text, onFront = "**"+text+", default**", true
		}
		parts = append(parts, text)
	}
	fmt.Fprintf(b, "%s's front: %s.", family, strings.Join(parts, " → "))
	for _, r := range runs {
		if r.Default && !onFront {
			fmt.Fprintf(b, " Its default (%s) is not on it: %.2f $ at %.4f.", r.label, r.CostUSD, r.SLOAll)
		}
	}
	b.WriteString("\n\n")
}

// writeOverBudget lists the runs of scenario whose fleet went over the
// budget.
func writeOverBudget(b *strings.Builder, res *Result, scenario string) {
	var over []string
	for _, r := range res.Runs {
		if r.Scenario == scenario && r.OverBudget() {
			over = append(over, fmt.Sprintf("%s (%s) %.1f $/h", r.Family, r.label, r.MaxUSDPerHour))
		}
	}
	if len(over) > 0 {
		fmt.Fprintf(b, "⚠ Over the budget: %s.\n\n", strings.Join(over, "; "))
	}
}
