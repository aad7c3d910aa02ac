package configs

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// positions maps a field path, such as "pools[1].curve.base", to the line of
// its key in the file, or for a list element, to the line the element
// starts on. The root, "", maps to the first line of the document.
type positions map[string]int

// line returns the line of field, or of the nearest enclosing field that the
// file holds (a missing key points at the mapping that lacks it); 1 if none.
func (p positions) line(field string) int {
	for {
		if l, ok := p[field]; ok {
			return l
		}
		if field == "" {
			return 1
		}
		field = parentField(field)
	}
}

// parentField strips the last step of a field path:
// "a.b[2]" → "a.b", "a.b" → "a", "a" → "".
func parentField(field string) string {
	if i := strings.LastIndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return ""
}

// decode fills cfg from the document body. It first scans the syntax tree
// against cfg's type, which records the line of every field and reports
// every unknown key, misshapen value and unparsable scalar; only a clean
// tree is then decoded, strictly, by the YAML library. A nil or null body
// (an empty file) leaves cfg unchanged.
func decode(file string, body ast.Node, cfg *Config) (positions, Errors) {
	s := &scanner{file: file, pos: positions{"": max(nodeLine(body), 1)}}
	s.node(body, reflect.TypeOf(cfg).Elem(), "")
	if len(s.errs) > 0 || isNull(body) {
		return s.pos, s.errs
	}
	// The parser has already rejected duplicate keys; allowing them here
	// lets a key override one brought in by a merge key ("<<: *anchor").
	if err := yaml.NodeToValue(body, cfg, yaml.Strict(), yaml.AllowDuplicateMapKey()); err != nil {
		return s.pos, Errors{yamlError(file, "", err)}
	}
	return s.pos, nil
}

// yamlError turns an error of the YAML library into an Error at the line of
// the token it names, or at line 1 when it names none; prefix starts the
// message.
func yamlError(file, prefix string, err error) *Error {
	e := &Error{File: file, Line: 1, Msg: prefix + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		e.Line, e.Msg = ye.GetToken().Position.Line, prefix+ye.GetMessage()
	}
	return e
}

// scanner walks a syntax tree alongside the Go type it will decode into.
type scanner struct {
	file string
	pos  positions
	errs Errors
}

func (s *scanner) addf(line int, field, format string, args ...any) {
	s.errs = append(s.errs, &Error{File: s.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// node checks n against type t. Nulls are left to the zero value and
// aliases to the decoder, which resolves them.
func (s *scanner) node(n ast.Node, t reflect.Type, field string) {
	if n = unwrap(n); isNull(n) || n.Type() == ast.AliasType {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		s.mapping(n, t, field)
	case reflect.Slice:
		s.sequence(n, t.Elem(), field)
	case reflect.Map:
		s.dict(n, t.Elem(), field)
	default:
		s.scalar(n, t, field)
	}
}

func (s *scanner) mapping(n ast.Node, t reflect.Type, field string) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		s.addf(nodeLine(n), field, "got %s, want %s", describe(n), want(t))
		return
	}
	fields, names := structFields(t)
	for _, kv := range m.Values {
		if kv.Key.IsMergeKey() {
			continue // "<<: *anchor" is resolved by the decoder
		}
		key, line := keyName(kv.Key), nodeLine(kv.Key)
		path := joinField(field, key)
		s.pos[path] = line
		ft, ok := fields[key]
		if !ok {
			s.addf(line, path, "unknown field (want one of %s)", strings.Join(names, ", "))
			continue
		}
		s.node(kv.Value, ft, path)
	}
}

func (s *scanner) sequence(n ast.Node, elem reflect.Type, field string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		s.addf(nodeLine(n), field, "got %s, want a list", describe(n))
		return
	}
	for i, v := range seq.Values {
		path := fmt.Sprintf("%s[%d]", field, i)
		if l := nodeLine(v); l > 0 {
			s.pos[path] = l
		}
		s.node(v, elem, path)
	}
}

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

// scalar checks that n decodes into t. Integers must be written as
// integers: the library would truncate 1.5 to 1.
func (s *scanner) scalar(n ast.Node, t reflect.Type, field string) {
	_, isScalar := n.(ast.ScalarNode)
	ok := isScalar && (!isInteger(t) || n.Type() == ast.IntegerType)
	if ok {
		ok = yaml.NodeToValue(n, reflect.New(t).Interface(), yaml.Strict()) == nil
	}
	if !ok {
		s.addf(nodeLine(n), field, "%s is not %s", describe(n), want(t))
	}
}

var durationType = reflect.TypeFor[time.Duration]()

func isInteger(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t != durationType
	}
	return false
}

// want describes what a value of type t is written as.
func want(t reflect.Type) string {
	switch {
	case t == durationType:
		return `a duration such as "200ms" or "1m"`
	case isInteger(t):
		return "an integer"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	}
	return t.String()
}

// describe names a node as a message shows it: strings quoted, other
// scalars as written, collections by their kind.
func describe(n ast.Node) string {
	switch n.Type() {
	case ast.MappingType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.StringType, ast.LiteralType:
		return strconv.Quote(n.GetToken().Value)
	}
	return n.GetToken().Value
}

// structFields maps the YAML keys of struct type t to their field types, the
// way the YAML library names them (the yaml tag, else the lower-cased field
// name), and lists the keys in declaration order. Inline fields are not
// supported.
func structFields(t reflect.Type) (map[string]reflect.Type, []string) {
	fields := map[string]reflect.Type{}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
		names = append(names, name)
	}
	return fields, names
}

// unwrap strips anchors and tags off a node.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// isNull reports whether n, without its anchors and tags, is absent or null.
func isNull(n ast.Node) bool {
	n = unwrap(n)
	return n == nil || n.Type() == ast.NullType
}

func keyName(k ast.MapKeyNode) string {
	n := ast.Node(k)
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		n = mk.Value
	}
	if n = unwrap(n); n == nil || n.GetToken() == nil {
		return ""
	}
	return n.GetToken().Value
}

// nodeLine is the line n starts on; 0 for a nil node or one without a
// token.
func nodeLine(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
