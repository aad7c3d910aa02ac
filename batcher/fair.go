package batcher

// Fair queueing within a class: start-time fair queueing (Goyal, Vin and
// Cheng, 1996) over rows. Each push gets a virtual start tag
//
//	S = max(V, F[tenant]),   F[tenant] = S + rows / weight
//
// where V, the class's virtual time, is the start tag of the item served
// last, and F[tenant] the finish tag of the tenant's previous item. The
// class is served in order of start tags, each tenant's items FIFO. A
// tenant that queues much gets tags far ahead of V and waits its turn; one
// that queues little gets tags at V and goes next. Backlogged tenants are
// served rows in proportion to their weights.
//
// A tenant's turn is the tag of its oldest item. A standing class (see
// lifo.go) serves the tenant whose turn it is with its newest item
// instead, and moves that turn on by the item's rows/weight, as though
// the oldest had gone: the tags say when a tenant is served, not which of
// its items.

// flow is one tenant's items in a fairList, in the order they came.
type flow struct {
	tenant string
	items  list
}

// fairList holds one class's items, of a whole queue or of one Key: a
// flow per tenant with items queued. Pushing and removing take O(tenants
// with items queued) to find the flow, and allocate only for a tenant's
// first item (flows are recycled through the queue's spare list).
type fairList struct {
	flows []*flow
	n     int
	k     uint8 // the link its flows thread through
}

// push appends it to its tenant's flow and returns the flow. spare holds
// emptied flows for reuse.
func (f *fairList) push(it *Item, spare *[]*flow) *flow {
	fl := f.flow(it.Tenant)
	if fl == nil {
		fl = newFlow(spare, it.Tenant, f.k)
		f.flows = append(f.flows, fl)
	}
	fl.items.pushBack(it)
	f.n++
	return fl
}

// flow returns the flow of tenant; nil when it has no items here.
func (f *fairList) flow(tenant string) *flow {
	for _, fl := range f.flows {
		if fl.tenant == tenant {
			return fl
		}
	}
	return nil
}

func newFlow(spare *[]*flow, tenant string, k uint8) *flow {
	var fl *flow
	if n := len(*spare); n > 0 {
		fl = (*spare)[n-1]
		(*spare)[n-1] = nil
		*spare = (*spare)[:n-1]
	} else {
		fl = &flow{}
	}
	fl.tenant, fl.items = tenant, list{k: k}
	return fl
}

// remove unlinks it from fl, which holds it, dropping fl into spare when
// it empties. The order of the other flows may change. In a class's list
// the tenant's turn never goes back: the next item's start tag becomes at
// least that of it, when it was the head (see Queue.dispatch).
func (f *fairList) remove(it *Item, fl *flow, spare *[]*flow) {
	if next := it.links[f.k].next; f.k == byClass && it == fl.items.head && next != nil {
		next.start = max(next.start, it.start)
	}
	fl.items.remove(it)
	f.n--
	if fl.items.n > 0 {
		return
	}
	for i, g := range f.flows {
		if g == fl {
			last := len(f.flows) - 1
			f.flows[i], f.flows[last] = f.flows[last], nil
			f.flows = f.flows[:last]
			break
		}
	}
	*spare = append(*spare, fl)
}

// head returns the item served next: of the flow whose turn is next —
// whose head has the least start tag, the earliest pushed on a tie —
// that head, or its newest item when newest is set; nil when empty.
func (f *fairList) head(newest bool) *Item {
	var best *flow
	for _, fl := range f.flows {
		if best == nil || fl.items.head.before(best.items.head) {
			best = fl
		}
	}
	switch {
	case best == nil:
		return nil
	case newest:
		return best.items.tail
	}
	return best.items.head
}

// before reports whether it is served before other of the same class.
func (it *Item) before(other *Item) bool {
	return it.start < other.start || (it.start == other.start && it.seq < other.seq)
}

// maxFinishTags bounds the finish tags a virtualClock keeps before it
// forgets those its virtual time has passed.
const maxFinishTags = 64

// virtualClock is one class's virtual time and each tenant's finish tag.
type virtualClock struct {
	now    float64
	finish map[string]float64
}

// tag sets it's start tag, as it is pushed.
func (v *virtualClock) tag(it *Item) {
	if v.finish == nil {
		v.finish = map[string]float64{}
	}
	s := max(v.now, v.finish[it.Tenant])
	it.start = s
	v.finish[it.Tenant] = s + float64(it.weight())/it.share()
	if len(v.finish) > maxFinishTags {
		v.forget()
	}
}

// forget drops the finish tags the virtual time has passed: a tenant
// without one starts at the virtual time, as it would with it.
func (v *virtualClock) forget() {
	for t, f := range v.finish {
		if f <= v.now {
			delete(v.finish, t)
		}
	}
}

// served advances the virtual time to start, the tag at which an item
// leaves the queue for a worker.
func (v *virtualClock) served(start float64) { v.now = max(v.now, start) }
