package configs

import "time"

// DefaultQueueMaxLength is the most requests of one priority class one
// pool holds queued unless the queue section says otherwise: with the
// default limits.max_in_flight of 2048 calls in the whole gateway, one
// class of one pool may hold half of them.
const DefaultQueueMaxLength = 1024

// Queue bounds each priority class of every pool's queue, as Triton's queue
// policy does: a request beyond a length bound is rejected at once (429),
// one queued longer than its class allows is rejected then (503).
type Queue struct {
	Critical ClassQueue `yaml:"critical"`
	High     ClassQueue `yaml:"high"`
	Normal   ClassQueue `yaml:"normal"`
	Low      ClassQueue `yaml:"low"`
}

// ClassQueue bounds one priority class of a pool's queue.
type ClassQueue struct {
	// MaxLength is the most requests of the class one pool may hold
	// queued; >= -1, where -1 means unbounded; default 1024
	// (DefaultQueueMaxLength).
	MaxLength int `yaml:"max_length"`
	// MaxQueueTime is the longest a request of the class may wait queued;
	// >= 0, and 0 means unbounded (the request's own deadline still
	// applies).
	MaxQueueTime time.Duration `yaml:"max_queue_time"`
}

// Unbounded is the MaxLength of a class queue without a length bound.
const Unbounded = -1

// applyDefaults bounds the length of every class that sets none.
func (q *Queue) applyDefaults() {
	for _, cq := range []*ClassQueue{&q.Critical, &q.High, &q.Normal, &q.Low} {
		fillIfZero(&cq.MaxLength, DefaultQueueMaxLength)
	}
}

func (c *checker) queue(q Queue) {
	classes := []struct {
		name string
		cq   ClassQueue
	}{{"critical", q.Critical}, {"high", q.High}, {"normal", q.Normal}, {"low", q.Low}}
	for _, cl := range classes {
		f, cq := "queue."+cl.name, cl.cq
		if cq.MaxLength < Unbounded {
			c.addf(f+".max_length", "%d must be >= -1 (unbounded)", cq.MaxLength)
		}
		c.nonNegative(f+".max_queue_time", cq.MaxQueueTime)
	}
}
