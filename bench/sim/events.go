package sim

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// EventKind is what a scripted event does to a pool.
type EventKind int

// The scripted events.
const (
	// PoolDown loses every replica of the pool at once; the pool starts
	// none until PoolUp.
	PoolDown EventKind = iota + 1
	// PoolUp lets the pool start replicas again; it comes back empty.
	PoolUp
	// SpotInterrupt loses Value (a fraction in (0, 1], rounded up) of the
	// pool's current replicas; their batches in flight fail and are
	// retried.
	SpotInterrupt
	// Price makes Value the pool's hourly price in USD from then on.
	Price
)

// eventNames maps the file's event names to kinds.
var eventNames = map[string]EventKind{
	"pool_down":      PoolDown,
	"pool_up":        PoolUp,
	"spot_interrupt": SpotInterrupt,
	"price":          Price,
}

// String returns the event's name in files.
func (k EventKind) String() string {
	for name, kind := range eventNames {
		if kind == k {
			return name
		}
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Event is one scripted event, applied at the start of its second.
type Event struct {
	// Second is when the event happens, in seconds from the start.
	Second int
	Kind   EventKind
	// Pool names the pool the event hits.
	Pool string
	// Value is SpotInterrupt's fraction or Price's price; 0 otherwise.
	Value float64
}

// eventColumns is the header of an events file.
var eventColumns = []string{"second", "event", "pool", "value"}

// ReadEvents reads scripted events in CSV with the header
// second,event,pool,value (columns in any order; '#' starts a comment
// line). Events: pool_down and pool_up (value empty), spot_interrupt
// (value a fraction in (0, 1]) and price (value USD per hour, >= 0). The
// events are returned sorted by second, in file order within a second.
// name is the file name quoted in errors, which wrap ErrEvents and give
// the line and column of the fault. Pool names are checked by Run.
func ReadEvents(r io.Reader, name string) ([]Event, error) {
	t, err := openTable(r, name, ErrEvents, eventColumns)
	if err != nil {
		return nil, err
	}
	var evs []Event
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		ev, err := parseEvent(t)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return a.Second - b.Second })
	return evs, nil
}

// parseEvent reads the current record of t.
func parseEvent(t *table) (Event, error) {
	sec, err := t.int(0, "second")
	if err != nil {
		return Event{}, err
	}
	kind, ok := eventNames[t.field(1)]
	if !ok {
		return Event{}, t.errorf(1, "event %q: want pool_down, pool_up, spot_interrupt or price", t.field(1))
	}
	ev := Event{Second: sec, Kind: kind, Pool: t.field(2)}
	if ev.Pool == "" {
		return Event{}, t.errorf(2, "%s: missing pool", kind)
	}
	switch kind {
	case SpotInterrupt:
		ev.Value, err = t.float(3, "spot_interrupt fraction", math.SmallestNonzeroFloat64, 1)
	case Price:
		ev.Value, err = t.float(3, "price", 0, math.MaxFloat64)
	default:
		if v := t.field(3); v != "" {
			err = t.errorf(3, "%s takes no value, got %q", kind, v)
		}
	}
	return ev, err
}

// LoadEvents reads the events file at path; see ReadEvents.
func LoadEvents(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvents, err)
	}
	defer f.Close()
	return ReadEvents(f, path)
}
