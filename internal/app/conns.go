package app

import (
	"net"
	"net/http"
	"sync"
)

// limitListener accepts at most n connections open at once: past it,
// Accept first has reclaim (when set) close an idle connection, then
// waits for one to close, and new clients wait in the kernel's backlog,
// holding no memory of the process. Without reclaim, clients that keep
// their connections alive while idle would hold every slot, and a new
// client would wait in the backlog until its own timeout.
type limitListener struct {
	net.Listener
	slots   chan struct{} // one token per open connection
	done    chan struct{} // closed by Close, to end a waiting Accept
	once    sync.Once
	reclaim reclaimer // nil: none
}

// reclaimer closes idle connections for a limitListener.
type reclaimer interface {
	// closeIdle closes an idle connection, if any, and reports whether
	// there was one.
	closeIdle() bool
	// idled receives when a connection may have turned idle.
	idled() <-chan struct{}
}

// limitConns returns ln accepting at most n connections open at once;
// reclaim, if not nil, closes an idle connection when all n are open.
// pre: n >= 1.
func limitConns(ln net.Listener, n int, reclaim reclaimer) net.Listener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{}), reclaim: reclaim}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	if !l.take() {
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
}

// take takes a slot, reclaiming an idle connection's when none is free,
// now or once one turns idle; false once the listener is closed.
func (l *limitListener) take() bool {
	var idled <-chan struct{} // nil, never ready, without a reclaimer
	if l.reclaim != nil {
		idled = l.reclaim.idled()
	}
	for {
		select {
		case l.slots <- struct{}{}:
			return true
		default:
		}
		if l.reclaim != nil && l.reclaim.closeIdle() {
			continue
		}
		select {
		case l.slots <- struct{}{}:
			return true
		case <-idled:
		case <-l.done:
			return false
		}
	}
}

// Close closes the listener and ends a waiting Accept.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// slotConn frees its listener's slot when it is closed, once.
type slotConn struct {
	net.Conn
	free func()
	once sync.Once
}

func (c *slotConn) Close() error {
	c.once.Do(c.free)
	return c.Conn.Close()
}

// connStates tracks the state of an HTTP server's connections, to count
// at shutdown those whose request never completed. It is safe for
// concurrent use; hook is the server's ConnState.
type connStates struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
	idle  chan struct{} // a pending wake-up when a connection turned idle
}

func newConnStates() *connStates {
	return &connStates{state: map[net.Conn]http.ConnState{}, idle: make(chan struct{}, 1)}
}

func (s *connStates) hook(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.state, c)
		return
	}
	s.state[c] = st
	if st == http.StateIdle {
		select {
		case s.idle <- struct{}{}:
		default:
		}
	}
}

func (s *connStates) idled() <-chan struct{} { return s.idle }

// busy returns the connections that are reading or serving a request:
// neither idle nor closed.
func (s *connStates) busy() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.state {
		if st == http.StateNew || st == http.StateActive {
			n++
		}
	}
	return n
}

// closeIdle closes one connection that waits idle between requests, and
// reports whether there was one. A client that sends its next request on
// it as it closes sees the close, as at the server's idle timeout.
func (s *connStates) closeIdle() bool {
	s.mu.Lock()
	var idle net.Conn
	for c, st := range s.state {
		if st == http.StateIdle {
			idle = c
			delete(s.state, c)
			break
		}
	}
	s.mu.Unlock()
	if idle == nil {
		return false
	}
	_ = idle.Close()
	return true
}
