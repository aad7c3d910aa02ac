package status

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestPageTenants renders the tenant table (go test -update rewrites
// the golden file): one tenant refused for its hourly budget, one within
// it; a view without tenants has no table (TestPageGolden).
func TestPageTenants(t *testing.T) {
	in := statusFixture()
	hour := statusNow.Truncate(time.Hour).Add(time.Hour)
	in.Tenants = []Tenant{
		{Name: "team-a", State: "exhausted", Downgraded: 19, Refused: 10, Windows: []TenantWindow{
			{Name: "per_hour", SpentUSD: 2.05e-05, BudgetUSD: 2e-05, Resets: hour},
			{Name: "per_day", SpentUSD: 2.05e-05, BudgetUSD: 0.0002, Resets: hour},
		}},
		{Name: "team-b", State: "ok", Windows: []TenantWindow{{Name: "per_hour", SpentUSD: 5.5e-07, BudgetUSD: 1, Resets: hour}}},
	}
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
	section := outline.String()[strings.Index(outline.String(), `<section id="tenants">`):]
	section = section[:strings.Index(section, `<section id="decisions">`)]
	checkGolden(t, "page_tenants.golden", []byte(section))
}
