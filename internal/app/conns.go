package app

import (
	"net"
	"net/http"
	"sync"
)

// limitListener accepts at most n connections open at once: past it,
// Accept waits for one to close, and new clients wait in the kernel's
// backlog, holding no memory of the process.
type limitListener struct {
	net.Listener
	slots chan struct{} // one token per open connection
	done  chan struct{} // closed by Close, to end a waiting Accept
	once  sync.Once
}

// limitConns returns ln accepting at most n connections open at once.
// pre: n >= 1.
func limitConns(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
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
}

func newConnStates() *connStates { return &connStates{state: map[net.Conn]http.ConnState{}} }

func (s *connStates) hook(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.state, c)
		return
	}
	s.state[c] = st
}

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
