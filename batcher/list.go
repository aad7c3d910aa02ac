package batcher

// Which of an Item's links a list threads through.
const (
	byClass = 0 // the FIFO of all items of one class
	byKey   = 1 // the FIFO of the items of one class and one Key
	byAge   = 2 // the FIFO of all items of one class, across tenants
)

// link holds an item's neighbours in one list.
type link struct{ prev, next *Item }

// list is an intrusive FIFO of items threaded through links[k]: pushing
// and removing take O(1) and allocate nothing.
type list struct {
	head, tail *Item
	n          int
	k          uint8
}

// pushBack appends it. pre: it is in no list of kind l.k.
func (l *list) pushBack(it *Item) {
	ln := &it.links[l.k]
	ln.prev, ln.next = l.tail, nil
	if l.tail != nil {
		l.tail.links[l.k].next = it
	} else {
		l.head = it
	}
	l.tail = it
	l.n++
}

// remove unlinks it. pre: it is in l.
func (l *list) remove(it *Item) {
	ln := &it.links[l.k]
	if ln.prev != nil {
		ln.prev.links[l.k].next = ln.next
	} else {
		l.head = ln.next
	}
	if ln.next != nil {
		ln.next.links[l.k].prev = ln.prev
	} else {
		l.tail = ln.prev
	}
	ln.prev, ln.next = nil, nil
	l.n--
}
