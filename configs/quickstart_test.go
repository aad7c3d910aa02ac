package configs

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The shipped quickstart is a test fixture, in the manner of Knative's
// example configs: it claims to show every key and to mark with
// "(default)" the values Sluice uses when a key is left out, and these
// tests hold it to both claims.

const quickstart = "quickstart.yaml"

// TestQuickstartShowsEveryKey checks that every key of the schema appears
// in the quickstart, set or commented out. Commented-out keys must decode
// too once uncommented, so the examples they give cannot rot.
func TestQuickstartShowsEveryKey(t *testing.T) {
	data, err := os.ReadFile(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	pos := decodePositions(t, quickstart+" (uncommented)", uncomment(data))
	shown := map[string]bool{}
	for field := range pos {
		shown[listPattern.ReplaceAllString(field, "[]")] = true
	}
	for _, key := range schemaKeys(reflect.TypeFor[Config](), "") {
		if !shown[key] {
			t.Errorf("%s does not show the key %s", quickstart, key)
		}
	}
}

// TestQuickstartDefaults checks every value the quickstart marks
// "(default)": cleared and filled again by ApplyDefaults, it must come
// back the same.
func TestQuickstartDefaults(t *testing.T) {
	data, err := os.ReadFile(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	byLine := fieldsByLine(decodePositions(t, quickstart, data))
	marked := 0
	for i, text := range strings.Split(string(data), "\n") {
		if !defaultMark.MatchString(text) {
			continue
		}
		n := checkDefaults(t, cfg, byLine[i+1])
		if n == 0 {
			t.Errorf("%s:%d is marked (default) but sets no value: %q", quickstart, i+1, text)
		}
		marked += n
	}
	if marked == 0 {
		t.Fatalf("%s marks no value (default)", quickstart)
	}
}

// checkDefaults checks that each scalar among fields of cfg is its
// default, and returns how many it checked.
func checkDefaults(t *testing.T, cfg *Config, fields []string) int {
	t.Helper()
	n := 0
	for _, field := range fields {
		got, ok := fieldAt(reflect.ValueOf(cfg).Elem(), field)
		if !ok || !isScalar(got.Type()) {
			continue
		}
		n++
		fresh, err := Load(quickstart)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := fieldAt(reflect.ValueOf(fresh).Elem(), field)
		v.SetZero()
		fresh.ApplyDefaults()
		if diff := cmp.Diff(v.Interface(), got.Interface()); diff != "" {
			t.Errorf("%s: %s is marked (default) but the default differs (-default +file):\n%s", quickstart, field, diff)
		}
	}
	return n
}

// defaultMark is a line with a value whose trailing comment calls it the
// default: "(default)", not "(default 1)", which names a default the line
// does not use.
var defaultMark = regexp.MustCompile(`^[^#]*[^#\s][^#]*#.*\(default\)`)

// listPattern matches the index of a list element in a field path.
var listPattern = regexp.MustCompile(`\[\d+\]`)

// commentedKey is a comment line holding YAML: a key ("name:") or a list
// element ("- "), after "#" and at most one space.
var commentedKey = regexp.MustCompile(`^(\s*)# ?((\s*)([a-z_][a-z0-9_]*:(\s|$)|- ).*)$`)

// uncomment returns data with its commented-out keys turned back into
// YAML, each at the indentation of its "#" plus what follows it.
func uncomment(data []byte) []byte {
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		if m := commentedKey.FindSubmatch(l); m != nil {
			lines[i] = append(append([]byte{}, m[1]...), m[2]...)
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// decodePositions decodes data without validating it and returns where
// each field is.
func decodePositions(t *testing.T, file string, data []byte) positions {
	t.Helper()
	body, errs := parseDocument(file, data)
	if errs == nil {
		var pos positions
		if pos, errs = decode(file, body, &Config{}); errs == nil {
			return pos
		}
	}
	t.Fatalf("decoding %s:\n%v", file, errs)
	return nil
}

// fieldsByLine inverts positions: the fields set on each line.
func fieldsByLine(pos positions) map[int][]string {
	out := map[int][]string{}
	for field, line := range pos {
		out[line] = append(out[line], field)
	}
	for _, fields := range out {
		sort.Strings(fields)
	}
	return out
}

// schemaKeys lists the field paths of every key type t can hold, lists
// written "[]"; a map (free keys) is one key.
func schemaKeys(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		return schemaKeys(t.Elem(), prefix+"[]")
	case reflect.Struct:
		var keys []string
		fields, names := structFields(t)
		for _, name := range names {
			path := joinField(prefix, name)
			keys = append(keys, path)
			keys = append(keys, schemaKeys(fields[name], path)[1:]...)
		}
		return append([]string{prefix}, keys...)
	}
	return []string{prefix}
}

// fieldPart is one step of a field path: a key or a list index.
var fieldPart = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

// fieldAt returns the field of v at path, as positions names it; ok is
// false when the path does not lead to a settable field (a nil pointer on
// the way, a map key).
func fieldAt(v reflect.Value, path string) (reflect.Value, bool) {
	for _, part := range fieldPart.FindAllString(path, -1) {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		switch {
		case strings.HasPrefix(part, "["):
			i, _ := strconv.Atoi(strings.Trim(part, "[]"))
			if v.Kind() != reflect.Slice || i >= v.Len() {
				return v, false
			}
			v = v.Index(i)
		case v.Kind() == reflect.Struct:
			f, ok := fieldByKey(v, part)
			if !ok {
				return v, false
			}
			v = f
		default:
			return v, false
		}
	}
	return v, true
}

// fieldByKey returns the field of struct v that the YAML key names.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if f.IsExported() && name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// isScalar reports whether a value of type t is written as one scalar.
func isScalar(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map:
		return false
	}
	return true
}
