package configs

import (
	"reflect"

	"github.com/goccy/go-yaml/ast"
)

// dict checks a mapping whose keys are free (a Go map with string keys)
// and whose values are of type elem, recording each key's line under
// field.key.
func (s *scanner) dict(n ast.Node, elem reflect.Type, field string) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		s.addf(nodeLine(n), field, "got %s, want a mapping", describe(n))
		return
	}
	for _, kv := range m.Values {
		if kv.Key.IsMergeKey() {
			continue
		}
		path := joinField(field, keyName(kv.Key))
		s.pos[path] = nodeLine(kv.Key)
		s.node(kv.Value, elem, path)
	}
}
