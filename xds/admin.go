package xds

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// DumpNode returns the snapshot served to the node with the given ID,
// which must have an open stream (ErrUnknownNode otherwise), or
// ErrNoSnapshot before the first publication.
func (s *Server) DumpNode(id string) (Dump, error) {
	group, ok := s.nodeGroup(id)
	if !ok {
		return Dump{}, fmt.Errorf("%w: %q", ErrUnknownNode, id)
	}
	f := s.groupFlavor(group)
	snap, ok := s.Snapshot(f)
	if !ok {
		return Dump{}, ErrNoSnapshot
	}
	d, err := DumpOf(snap, f)
	d.Node, d.Group = id, group
	return d, err
}

func (s *Server) groupFlavor(group string) Flavor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[group]
}

// DumpAll returns every flavor's current snapshot by flavor name ("envoy",
// "grpc"), or ErrNoSnapshot before the first publication.
func (s *Server) DumpAll() (map[string]Dump, error) {
	out := map[string]Dump{}
	for _, f := range Flavors {
		snap, ok := s.Snapshot(f)
		if !ok {
			return nil, ErrNoSnapshot
		}
		d, err := DumpOf(snap, f)
		if err != nil {
			return nil, err
		}
		out[f.String()] = d
	}
	return out, nil
}

// Handler serves the current snapshots as JSON for GET requests: with the
// query parameter node=ID, the snapshot of that connected node (a Dump;
// 404 for a node with no open stream), without it every flavor's (a map
// of Dumps by flavor). Before the first publication it answers 503.
// Errors are {"error": "..."}.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, errors.New("xds: only GET"))
			return
		}
		var v any
		var err error
		if id := r.URL.Query().Get("node"); id != "" {
			v, err = s.DumpNode(id)
		} else {
			v, err = s.DumpAll()
		}
		if err != nil {
			writeError(w, statusOf(err), err)
			return
		}
		b, err := MarshalDump(v)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b) // the client went away; nothing to do
	})
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrUnknownNode):
		return http.StatusNotFound
	case errors.Is(err, ErrNoSnapshot):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
