package main

import (
	"os"
	"testing"
)

// cliEnv, set to 1, makes the test binary behave as the sluice binary:
// end-to-end tests start it as `serve`, and serve starts it again as
// `worker` for each replica.
const cliEnv = "SLUICE_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}
