package app

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testDrainDelay is the drain delay of the fleets the tests start and
// stop: no load balancer stands in front of them to see them leave.
const testDrainDelay = 10 * time.Millisecond
