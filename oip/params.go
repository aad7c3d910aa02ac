package oip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// UnmarshalJSON decodes a JSON object of scalar parameters. Strings and
// booleans keep their type; a number without fraction or exponent becomes
// an int64 (or a uint64 above math.MaxInt64), any other number a float64.
// Objects, arrays and null are rejected with an error matching ErrInvalid.
func (p *Parameters) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return invalidf("oip: parameters: %w", err)
	}
	for k, v := range m {
		switch v := v.(type) {
		case string, bool:
		case json.Number:
			m[k] = parseNumber(v)
		default:
			return invalidf("oip: parameter %q: %s is not a string, number or boolean", k, jsonKind(v))
		}
	}
	*p = m
	return nil
}

// parseNumber converts a JSON number to int64, uint64 or float64.
func parseNumber(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	if u, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		return u
	}
	f, _ := strconv.ParseFloat(string(n), 64) // ±Inf beyond float64
	return f
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// MarshalJSON encodes p as a JSON object with its keys sorted. A NaN or
// infinite float fails with an error matching ErrUnrepresentable.
func (p Parameters) MarshalJSON() ([]byte, error) {
	return appendParameters(nil, p)
}

// appendParameters appends p as a JSON object, keys sorted.
func appendParameters(b []byte, p Parameters) ([]byte, error) {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendParamValue(b, p[k]); err != nil {
			return nil, fmt.Errorf("oip: parameter %q: %w", k, err)
		}
	}
	return append(b, '}'), nil
}

func appendParamValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendQuoted(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, unrepresentablef("%v is not representable in JSON", v)
		}
		return appendFloat(b, v, 64), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}
