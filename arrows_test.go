package sluice_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sluice-gateway/sluice"

// allowed lists, for each package of ours, the packages of ours it may
// import (README.md, "Architecture"). A package not listed may
// import only what its parent folder's entry allows, and cmd may import
// everything.
var allowed = map[string][]string{
	"oip":             {},
	"oip/inferencepb": {},
	"costmodel":       {},
	"configs":         {"costmodel"},
	"batcher":         {"oip", "costmodel"},
	"router":          {"oip", "costmodel", "batcher"},
	"gateway":         {"oip", "router", "batcher", "configs", "costmodel"},
	"scaler":          {"costmodel"},
	"xds":             {"costmodel"},
	"bench":           {"oip", "scaler", "router", "batcher", "costmodel"},
}

type listed struct {
	ImportPath string
	Imports    []string
}

// TestArrows checks that imports follow the one-way arrows of the architecture (README.md):
// nothing imports cmd or gateway, the data plane never imports the control
// plane and the control plane never imports the data plane.
func TestArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list: %v", err)
		}
		checkImports(t, p)
	}
}

func checkImports(t *testing.T, p listed) {
	t.Helper()
	from := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
	if from == "" || strings.HasPrefix(from, "cmd/") {
		return
	}
	rule, ok := ruleFor(from)
	if !ok {
		t.Errorf("package %s has no entry in the arrows table", from)
		return
	}
	for _, imp := range p.Imports {
		to, ours := strings.CutPrefix(imp, module+"/")
		if !ours || strings.HasPrefix(to, from+"/") || isWithin(from, to) {
			continue
		}
		if !permits(rule, to) {
			t.Errorf("%s imports %s, which the architecture does not allow", from, to)
		}
	}
}

// ruleFor returns the entry of pkg or of its nearest listed parent.
func ruleFor(pkg string) ([]string, bool) {
	for p := pkg; p != "."; {
		if r, ok := allowed[p]; ok {
			return r, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return nil, false
}

// isWithin reports whether to is in the same top-level folder as from
// (a driver importing its parent, bench/worker importing bench).
func isWithin(from, to string) bool {
	top, _, _ := strings.Cut(from, "/")
	return to == top || strings.HasPrefix(to, top+"/")
}

func permits(rule []string, to string) bool {
	for _, r := range rule {
		if to == r || strings.HasPrefix(to, r+"/") {
			return true
		}
	}
	return false
}
