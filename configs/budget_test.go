package configs

import "testing"

// budgetBad lists the budget section's bad files and their problems, in order.
var budgetBad = []badCase{
	{"budget", []string{"budget.bad.yaml:5: budget.per_hour: NaN must be >= 0"}},
}

func TestBudgetBad(t *testing.T) { loadBad(t, budgetBad) }
