package system

import (
	"testing"

	"go.uber.org/goleak"
)

// The configurations and traces the tests run.
const (
	benchConfig    = "../../configs/bench.yaml"
	realTinyConfig = "testdata/real-tiny.yaml"
	realShortTrace = "testdata/real-short.trace.csv"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
