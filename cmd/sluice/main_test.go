package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// cliEnv, set to 1, makes the test binary behave as the sluice binary:
// end-to-end tests start it as `serve`, and serve starts it again as
// `worker` for each replica.
const cliEnv = "SLUICE_TEST_AS_CLI"

// TestMain runs the tests, failing them if any goroutine outlives them,
// unless cliEnv makes the binary the CLI.
func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		profileServe(os.Args[1:])
		os.Exit(dispatch(os.Args[1:], os.Stderr))
	}
	goleak.VerifyTestMain(m)
}
