package xds

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/encoding/protojson"
)

// Dump is the JSON form of one snapshot, for operators and golden files:
// each resource as protojson with the proto field names, sorted by name,
// so that the same snapshot always encodes to the same bytes (through
// encoding/json, which also normalises protojson's unstable spacing).
type Dump struct {
	// Node and Group are set when the dump is of one connected node's
	// snapshot.
	Node  string `json:"node,omitempty"`
	Group string `json:"group,omitempty"`
	// Flavor is "envoy" or "grpc".
	Flavor string `json:"flavor"`
	// Versions holds each resource kind's version ("clusters": "7").
	Versions  map[string]string `json:"versions"`
	Clusters  []json.RawMessage `json:"clusters"`
	Endpoints []json.RawMessage `json:"endpoints"`
	Listeners []json.RawMessage `json:"listeners"`
	Routes    []json.RawMessage `json:"routes"`
}

// kinds are the resource kinds a snapshot holds, with their JSON names.
var kinds = []struct {
	name string
	typ  resource.Type
	dst  func(*Dump) *[]json.RawMessage
}{
	{"clusters", resource.ClusterType, func(d *Dump) *[]json.RawMessage { return &d.Clusters }},
	{"endpoints", resource.EndpointType, func(d *Dump) *[]json.RawMessage { return &d.Endpoints }},
	{"listeners", resource.ListenerType, func(d *Dump) *[]json.RawMessage { return &d.Listeners }},
	{"routes", resource.RouteType, func(d *Dump) *[]json.RawMessage { return &d.Routes }},
}

// DumpOf returns the JSON form of a flavor's snapshot. Kinds the snapshot
// lacks encode as empty lists.
func DumpOf(snap cache.ResourceSnapshot, f Flavor) (Dump, error) {
	d := Dump{Flavor: f.String(), Versions: map[string]string{}}
	for _, k := range kinds {
		d.Versions[k.name] = snap.GetVersion(k.typ)
		out, err := encodeAll(snap.GetResources(k.typ))
		if err != nil {
			return Dump{}, fmt.Errorf("xds: dumping %s %s: %w", f, k.name, err)
		}
		*k.dst(&d) = out
	}
	return d, nil
}

// encodeAll encodes resources as protojson, sorted by name.
func encodeAll(rs map[string]types.Resource) ([]json.RawMessage, error) {
	names := make([]string, 0, len(rs))
	for name := range rs {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]json.RawMessage, 0, len(names))
	for _, name := range names {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(rs[name])
		if err != nil {
			return nil, fmt.Errorf("%q: %w", name, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// MarshalDump encodes v (a Dump, or a map or slice of them) as indented
// JSON ending in a newline.
func MarshalDump(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("xds: encoding dump: %w", err)
	}
	return append(b, '\n'), nil
}
