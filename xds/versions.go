package xds

import (
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/proto"
)

// carryVersions gives next, kind by kind, prev's resources and version
// wherever the resources are equal, so that an unchanged kind keeps its
// version and is not sent again. It reports whether any kind changed; a
// nil prev changes every kind.
func carryVersions(prev, next *cache.Snapshot) (*cache.Snapshot, bool) {
	changed := false
	for i := range next.Resources {
		if prev != nil && sameItems(prev.Resources[i].Items, next.Resources[i].Items) {
			next.Resources[i] = prev.Resources[i]
			continue
		}
		changed = true
	}
	return next, changed
}

// sameItems reports whether a and b hold equal resources under the same
// names.
func sameItems(a, b map[string]types.ResourceWithTTL) bool {
	if len(a) != len(b) {
		return false
	}
	for name, ra := range a {
		rb, ok := b[name]
		if !ok || !proto.Equal(ra.Resource, rb.Resource) {
			return false
		}
	}
	return true
}
