package keda

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports checks the package's arrows: of Sluice's packages it may use
// the scaler (and what the scaler uses) only.
func TestImports(t *testing.T) {
	const module = "github.com/sluice-gateway/sluice/"
	allowed := map[string]bool{
		module + "scaler": true, module + "costmodel": true,
		module + "scaler/keda": true, module + "scaler/keda/externalscalerpb": true,
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module) && !allowed[dep] {
			t.Errorf("scaler/keda depends on %s", dep)
		}
	}
}
