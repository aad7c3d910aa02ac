package configs

import (
	"fmt"
	"math"
	"time"
)

// maxBodyBytesCeiling is the largest limits.max_body_bytes accepted: 1 GiB.
const maxBodyBytesCeiling = 1 << 30

// minJSONDepth is the nesting of the smallest request body,
// {"inputs": [{"data": [...]}]}.
const minJSONDepth = 4

// limits checks the limits section, and that no model's timeout exceeds
// the deadline cap.
func (c *checker) limits(cfg *Config) {
	l := cfg.Limits
	if l.MaxBodyBytes < 1 || l.MaxBodyBytes > maxBodyBytesCeiling {
		c.addf("limits.max_body_bytes", "%d must be between 1 and %d (1 GiB)", l.MaxBodyBytes, maxBodyBytesCeiling)
	}
	c.positive("limits.read_header_timeout", l.ReadHeaderTimeout)
	c.positive("limits.idle_timeout", l.IdleTimeout)
	if l.MaxConcurrentStreams < 1 || l.MaxConcurrentStreams > math.MaxUint32 {
		c.addf("limits.max_concurrent_streams", "%d must be between 1 and %d", l.MaxConcurrentStreams, uint32(math.MaxUint32))
	}
	c.positive("limits.max_deadline", l.MaxDeadline)
	if l.MaxJSONDepth < minJSONDepth {
		c.addf("limits.max_json_depth", "%d must be >= %d, the depth of {\"inputs\": [{\"data\": [...]}]}", l.MaxJSONDepth, minJSONDepth)
	}
	if l.MaxTensorElements < 1 {
		c.addf("limits.max_tensor_elements", "%d must be >= 1", l.MaxTensorElements)
	}
	c.modelDeadlines(cfg.Models, l.MaxDeadline)
}

// modelDeadlines reports the models whose timeout exceeds the deadline
// cap, which would silently cut it.
func (c *checker) modelDeadlines(ms []Model, limit time.Duration) {
	if limit <= 0 {
		return // reported above
	}
	for i, m := range ms {
		if m.Timeout > limit {
			c.addf(fmt.Sprintf("models[%d].timeout", i), "%v must be <= limits.max_deadline %v", m.Timeout, limit)
		}
	}
}
