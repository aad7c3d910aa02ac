package configs

import (
	"fmt"
	"time"
)

// Protocol shapes how Sluice reads the scheduling and sequence
// parameters of Triton's protocol. Every field has a default
// (DefaultPriorityLevels, DefaultSequenceIdle) that a zero value takes.
type Protocol struct {
	// PriorityLevels maps the levels of the request parameter "priority"
	// (1 the highest, 0 the model's default) onto priority classes:
	// level n is the n-th entry, levels beyond the list its last entry.
	// A caller's key still caps the class. Default [critical, high,
	// normal, low].
	PriorityLevels []string `yaml:"priority_levels"`
	// SequenceIdle is how long a sequence (requests carrying sequence_id)
	// stays pinned to its worker without a request before it is
	// forgotten; > 0, default 1m (DefaultSequenceIdle).
	SequenceIdle time.Duration `yaml:"sequence_idle"`
}

// Defaults of the protocol section.
var (
	// DefaultPriorityLevels maps Triton's levels 1 to 4 onto the classes.
	DefaultPriorityLevels = []string{"critical", "high", "normal", "low"}
)

// DefaultSequenceIdle is how long an idle sequence stays pinned.
const DefaultSequenceIdle = time.Minute

// applyDefaults fills the protocol settings left at zero.
func (p *Protocol) applyDefaults() {
	if len(p.PriorityLevels) == 0 {
		p.PriorityLevels = append([]string(nil), DefaultPriorityLevels...)
	}
	fillIfZero(&p.SequenceIdle, DefaultSequenceIdle)
}

// protocol checks the protocol section.
func (c *checker) protocol(p Protocol) {
	for i, l := range p.PriorityLevels {
		c.priority(fmt.Sprintf("protocol.priority_levels[%d]", i), l)
	}
	c.positive("protocol.sequence_idle", p.SequenceIdle)
}
