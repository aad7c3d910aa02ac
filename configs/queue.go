package configs

import "time"

// Queue bounds each priority class of every pool's queue, as Triton's queue
// policy does: a request beyond a length bound is rejected at once (429),
// one queued longer than its class allows is rejected then (503). Zero
// values, the defaults, mean unbounded.
type Queue struct {
	Critical ClassQueue `yaml:"critical"`
	High     ClassQueue `yaml:"high"`
	Normal   ClassQueue `yaml:"normal"`
	Low      ClassQueue `yaml:"low"`
}

// ClassQueue bounds one priority class of a pool's queue.
type ClassQueue struct {
	// MaxLength is the most requests of the class one pool may hold
	// queued; >= 0, and 0 means unbounded.
	MaxLength int `yaml:"max_length"`
	// MaxQueueTime is the longest a request of the class may wait queued;
	// >= 0, and 0 means unbounded (the request's own deadline still
	// applies).
	MaxQueueTime time.Duration `yaml:"max_queue_time"`
}

func (c *checker) queue(q Queue) {
	classes := []struct {
		name string
		cq   ClassQueue
	}{{"critical", q.Critical}, {"high", q.High}, {"normal", q.Normal}, {"low", q.Low}}
	for _, cl := range classes {
		f, cq := "queue."+cl.name, cl.cq
		if cq.MaxLength < 0 {
			c.addf(f+".max_length", "%d must be >= 0", cq.MaxLength)
		}
		c.nonNegative(f+".max_queue_time", cq.MaxQueueTime)
	}
}
