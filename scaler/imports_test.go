package scaler

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports checks the package's arrows: of Sluice's packages it may use
// costmodel only.
func TestImports(t *testing.T) {
	const module = "github.com/sluice-gateway/sluice/"
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, module) && dep != module+"costmodel" && dep != module+"scaler" {
			t.Errorf("scaler depends on %s", dep)
		}
	}
}
