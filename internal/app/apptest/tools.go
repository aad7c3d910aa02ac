package apptest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequireToolsEnv, set to 1 (as `make test` does, after installing
// them), turns a missing test tool from a skip into a failure.
const RequireToolsEnv = "SLUICE_REQUIRE_TEST_TOOLS"

// RequireTool returns the path of the command name, which Debian's
// package pkg installs. Without it the test fails when RequireToolsEnv
// is 1, and is skipped otherwise.
func RequireTool(t testing.TB, name, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err == nil {
		return bin
	}
	msg := fmt.Sprintf("%s not found: install Debian's package %s (apt-get install -y %s, or make test, which runs hack/install-test-tools.sh)", name, pkg, pkg)
	if os.Getenv(RequireToolsEnv) != "1" {
		t.Skipf("%s; a missing tool fails the test only with %s=1", msg, RequireToolsEnv)
	}
	t.Fatal(msg)
	return ""
}
