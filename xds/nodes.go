package xds

import (
	"context"
	"slices"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	xdsserver "github.com/envoyproxy/go-control-plane/pkg/server/v3"
)

// streamKey names one open xDS stream; state-of-the-world and delta
// streams are numbered apart.
type streamKey struct {
	delta bool
	id    int64
}

// nodeEntry is the node behind an open stream.
type nodeEntry struct {
	id, group string
}

// callbacks learns the node groups from the requests: a node of a group
// not seen before gets its flavor's current snapshot before its first
// watch is opened, so it is answered at once.
func (s *Server) callbacks() xdsserver.Callbacks {
	return xdsserver.CallbackFuncs{
		StreamRequestFunc: func(id int64, req *discovery.DiscoveryRequest) error {
			s.noteStream(streamKey{id: id}, req.GetNode())
			return nil
		},
		StreamDeltaRequestFunc: func(id int64, req *discovery.DeltaDiscoveryRequest) error {
			s.noteStream(streamKey{delta: true, id: id}, req.GetNode())
			return nil
		},
		FetchRequestFunc: func(_ context.Context, req *discovery.DiscoveryRequest) error {
			s.noteGroup(req.GetNode())
			return nil
		},
		StreamClosedFunc:      func(id int64, _ *core.Node) { s.forgetStream(streamKey{id: id}) },
		DeltaStreamClosedFunc: func(id int64, _ *core.Node) { s.forgetStream(streamKey{delta: true, id: id}) },
	}
}

// noteStream records the node of a stream and its group. Only a stream's
// first request is sure to carry the node; later ones may not.
func (s *Server) noteStream(k streamKey, node *core.Node) {
	if node == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteGroupLocked(node)
	s.streams[k] = nodeEntry{id: node.GetId(), group: GroupOf(node)}
}

func (s *Server) forgetStream(k streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.streams, k)
}

func (s *Server) noteGroup(node *core.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteGroupLocked(node)
}

// noteGroupLocked adds the node's group if it is new and sets its flavor's
// current snapshot for it.
func (s *Server) noteGroupLocked(node *core.Node) {
	group := GroupOf(node)
	if _, ok := s.groups[group]; ok {
		return
	}
	f := FlavorOf(node)
	s.groups[group] = f
	if snap, ok := s.snaps[f]; ok {
		s.setLocked(group, f, snap)
	}
}

// Groups returns the node groups seen since the server started, sorted.
func (s *Server) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.groups))
	for g := range s.groups {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// nodeGroup returns the group of a node with an open stream.
func (s *Server) nodeGroup(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.streams {
		if e.id == id {
			return e.group, true
		}
	}
	return "", false
}
