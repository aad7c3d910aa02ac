package configs

import "testing"

// queueBad lists the queue section's bad files and their problems, in order.
var queueBad = []badCase{
	{"negative-queue-length", []string{"negative-queue-length.bad.yaml:12: queue.low.max_length: -2 must be >= -1 (unbounded)"}},
}

func TestQueueBad(t *testing.T) { loadBad(t, queueBad) }
