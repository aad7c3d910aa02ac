package status

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// requireToolsEnv, set to 1 (as `make test` does, after installing
// them), turns a missing test tool from a skip into a failure.
const requireToolsEnv = "SLUICE_REQUIRE_TEST_TOOLS"

// requireTool returns the path of the command name, which Debian's
// package pkg installs. Without it the test fails when requireToolsEnv
// is 1, and is skipped otherwise.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err == nil {
		return bin
	}
	msg := fmt.Sprintf("%s not found: install Debian's package %s (apt-get install -y %s, or make test, which runs hack/install-test-tools.sh)", name, pkg, pkg)
	if os.Getenv(requireToolsEnv) != "1" {
		t.Skipf("%s; a missing tool fails the test only with %s=1", msg, requireToolsEnv)
	}
	t.Fatal(msg)
	return ""
}
