package gateway

import (
	"fmt"
	"math"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// paramPriority is the request parameter of Triton's scheduling policy:
// 1 is the highest level, 0 the model's default.
const paramPriority = "priority"

// levelOf returns the 1-based level that maps to class p in levels, 0
// when none does.
func levelOf(levels []batcher.Priority, p batcher.Priority) int {
	for i, l := range levels {
		if l == p {
			return i + 1
		}
	}
	return 0
}

// priorityParameter maps a request's priority parameter onto a class by
// levels (level n is levels[n-1]; levels beyond the table map to its
// last entry); ok is false when the request names no level (absent or
// 0) or levels is empty. A value that is not a non-negative integer
// fails with oip.ErrInvalid.
func priorityParameter(params oip.Parameters, levels []batcher.Priority) (p batcher.Priority, ok bool, err error) {
	v, has := params[paramPriority]
	if !has {
		return 0, false, nil
	}
	var n uint64
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, false, badPriority(v)
		}
		n = uint64(x)
	case uint64:
		n = x
	case float64:
		if x < 0 || x != math.Trunc(x) {
			return 0, false, badPriority(v)
		}
		n = uint64(min(x, math.MaxUint32))
	default:
		return 0, false, badPriority(v)
	}
	if n == 0 || len(levels) == 0 {
		return 0, false, nil
	}
	return levels[min(n, uint64(len(levels)))-1], true, nil
}

func badPriority(v any) error {
	return fmt.Errorf("%w: parameter %s: %v is not a non-negative integer (1 is the highest level, 0 the default)", oip.ErrInvalid, paramPriority, v)
}

// schedule applies a decoded call's priority parameter to its ticket:
// the class its level maps to, never above what the caller's key allows
// nor above the priority header's, and checked against the shed level
// again when it lowers the class.
func (g *Gateway) schedule(t *ticket, req *oip.InferenceRequest) error {
	p, ok, err := priorityParameter(req.Parameters, g.levels)
	if err != nil || !ok {
		return err
	}
	ceiling := t.ceiling
	if t.headerPriority {
		ceiling = t.priority
	}
	t.priority = min(p, ceiling)
	if l := g.admission.Shed(); l.Sheds(t.priority) {
		return &retryError{err: fmt.Errorf("%w: %v calls are refused at shed level %v", ErrShed, t.priority, l), after: ShedRetryAfter}
	}
	return nil
}

// PriorityLevels parses a priority level table (Options.PriorityLevels)
// from class names, level 1 first. An unknown name fails, naming it.
func PriorityLevels(names []string) ([]batcher.Priority, error) {
	out := make([]batcher.Priority, len(names))
	for i, n := range names {
		p, err := batcher.ParsePriority(n)
		if err != nil {
			return nil, fmt.Errorf("gateway: priority level %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}
