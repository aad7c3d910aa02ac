package kubernetes

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports checks the package's arrows: of Sluice's packages it may use
// costmodel only, and controller-runtime (envtest) only in its tests.
func TestImports(t *testing.T) {
	const module = "github.com/sluice-gateway/sluice/"
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		ours := strings.HasPrefix(dep, module) && dep != module+"costmodel" && dep != module+"scaler/kubernetes"
		if ours || strings.HasPrefix(dep, "sigs.k8s.io/controller-runtime") {
			t.Errorf("scaler/kubernetes depends on %s", dep)
		}
	}
}
