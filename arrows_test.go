package sluice_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sluice-gateway/sluice"

// rule is one row of the package table of README.md's Architecture
// section: what a package, and the packages under it that have no row
// of their own, may import, and what their tests may import besides.
type rule struct {
	// mayImport names packages of ours; a name covers the packages under
	// it. everything is set for a row that may import anything.
	mayImport  []string
	everything bool
	// testsMayImport names what the row's tests may import besides.
	testsMayImport []string
}

// table maps each row's package to its rule.
type table map[string]rule

// listed is a package as `go list -json` describes it.
type listed struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
}

// TestArrows checks that every package's imports, and its tests', follow
// the package table of README.md: nothing imports cmd, only cmd and
// bench/system import internal/app, the data plane and the control plane
// meet only in internal/app.
func TestArrows(t *testing.T) {
	tab := readTable(t)
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list: %v", err)
		}
		for _, v := range tab.violations(p) {
			t.Error(v)
		}
	}
}

// TestArrowsTable checks what the table itself promises: nothing may
// import cmd, and only cmd and bench/system may import internal/app.
func TestArrowsTable(t *testing.T) {
	for pkg, r := range readTable(t) {
		for _, imp := range append(slices.Clone(r.mayImport), r.testsMayImport...) {
			if strings.HasPrefix(imp, "cmd") || (imp == "internal/app" && pkg != "bench/system") {
				t.Errorf("the table lets %s import %s", pkg, imp)
			}
		}
	}
}

// TestArrowsRefuseForbiddenImports feeds the check listings that break
// the table, and one that keeps it.
func TestArrowsRefuseForbiddenImports(t *testing.T) {
	tab := readTable(t)
	our := func(pkgs ...string) []string {
		out := make([]string, len(pkgs))
		for i, p := range pkgs {
			out[i] = module + "/" + p
		}
		return out
	}
	tests := []struct {
		name  string
		pkg   listed
		wants string // in the one violation; "" for none
	}{
		{"data plane imports the control plane", listed{ImportPath: module + "/router", Imports: our("scaler")}, "router imports scaler"},
		{"a driver imports the data plane", listed{ImportPath: module + "/scaler/local", Imports: our("gateway")}, "scaler/local imports gateway"},
		{"status reads the router", listed{ImportPath: module + "/internal/status", Imports: our("router")}, "internal/status imports router"},
		{"the simulator imports the composition root", listed{ImportPath: module + "/bench/sim", Imports: our("internal/app")}, "bench/sim imports internal/app"},
		{"a test imports the composition root", listed{ImportPath: module + "/gateway", TestImports: our("internal/app")}, "gateway's tests import internal/app"},
		{"an external test imports cmd", listed{ImportPath: module + "/xds", XTestImports: our("cmd/sluice")}, "xds's tests import cmd/sluice"},
		{"a package without a row", listed{ImportPath: module + "/telemetry"}, "no entry"},
		{"a test with a real worker", listed{ImportPath: module + "/router", Imports: our("batcher", "oip/inferencepb"), TestImports: our("bench/worker")}, ""},
		{"a driver and its parent", listed{ImportPath: module + "/scaler/keda", Imports: our("scaler", "scaler/keda/externalscalerpb")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tab.violations(tt.pkg)
			switch {
			case tt.wants == "" && len(got) > 0:
				t.Errorf("violations %q, want none", got)
			case tt.wants != "" && (len(got) != 1 || !strings.Contains(got[0], tt.wants)):
				t.Errorf("violations %q, want one saying %q", got, tt.wants)
			}
		})
	}
}

// violations returns what p imports, and its tests import, that tab does
// not allow, one message each.
func (tab table) violations(p listed) []string {
	from := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
	if from == "" {
		return nil // the module's root holds only these tests
	}
	row, r, ok := tab.ruleOf(from)
	if !ok {
		return []string{"package " + from + " has no entry in the package table of README.md"}
	}
	var out []string
	for _, imp := range ours(p.Imports) {
		if !tab.allows(row, r.mayImport, r.everything, imp) {
			out = append(out, from+" imports "+imp+", which the package table of README.md does not allow")
		}
	}
	tests := append(slices.Clone(r.mayImport), r.testsMayImport...)
	for _, imp := range ours(append(slices.Clone(p.TestImports), p.XTestImports...)) {
		if imp != from && !tab.allows(row, tests, r.everything, imp) {
			out = append(out, from+"'s tests import "+imp+", which the package table of README.md does not allow")
		}
	}
	return out
}

// allows reports whether a package of row may import imp by names.
func (tab table) allows(row string, names []string, everything bool, imp string) bool {
	if everything {
		return true
	}
	if to, _, ok := tab.ruleOf(imp); ok && to == row {
		return true
	}
	for _, n := range names {
		if imp == n || strings.HasPrefix(imp, n+"/") {
			return true
		}
	}
	return false
}

// ruleOf returns the row of pkg: its own, or the nearest folder above it
// that has one.
func (tab table) ruleOf(pkg string) (row string, r rule, ok bool) {
	for p := pkg; ; {
		if r, ok := tab[p]; ok {
			return p, r, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return "", rule{}, false
		}
		p = p[:i]
	}
}

// ours returns the packages of this module among imports, without the
// module's path.
func ours(imports []string) []string {
	var out []string
	for _, imp := range imports {
		if to, ok := strings.CutPrefix(imp, module+"/"); ok {
			out = append(out, to)
		}
	}
	return out
}

// readTable reads the package table of README.md's Architecture
// section: rows `| \x60pkg\x60 | owns | may import | tests may import |`.
func readTable(t *testing.T) table {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Architecture\n")
	if !ok {
		t.Fatal("README.md has no Architecture section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	tab := table{}
	for line := range strings.Lines(section) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		pkg := strings.Trim(strings.TrimSpace(cells[1]), "`")
		tab[pkg] = rule{
			mayImport:      names(cells[3]),
			everything:     strings.TrimSpace(cells[3]) == "everything",
			testsMayImport: names(cells[4]),
		}
	}
	if len(tab) == 0 {
		t.Fatal("README.md's Architecture section has no package table")
	}
	return tab
}

// quoted matches a package name in backquotes.
var quoted = regexp.MustCompile("`([a-z0-9/]+)`")

// names returns the package names quoted in a cell.
func names(cell string) []string {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}
