package oip

import (
	"encoding/json"
	"slices"
	"strconv"
)

// This file reads the common shape of a JSON request body (or of the
// JSON header of a binary one) without encoding/json, which costs a
// dozen allocations per small request: an object of "id", "parameters",
// "inputs" and "outputs"; each input an object of "name", "shape",
// "datatype", "parameters" and a "data" of numbers, booleans, nulls and
// nested arrays; each output an object of "name" and "parameters"; each
// parameters object of strings, numbers and booleans; every member name
// plain ASCII in lower case and at most once in its object, every string
// plain ASCII without escapes. Anything else — other or repeated keys,
// strings in data, escapes, malformed JSON — makes fastWireRequest give
// up, and the caller decodes the body with encoding/json, so that both
// ways yield the same wireRequest and every error is encoding/json's.

// fastWireRequest parses b into a wireRequest; ok is false when b is not
// of the common shape (see above). The data members alias b.
func fastWireRequest(b []byte) (w wireRequest, ok bool) {
	p := fastParser{b: b}
	ok = p.object(func(key string) bool {
		switch key {
		case "id":
			w.ID, ok = p.plainString()
		case "parameters":
			w.Parameters, ok = p.parameters()
		case "inputs":
			w.Inputs, ok = p.tensors()
		case "outputs":
			w.Outputs, ok = p.outputs()
		default:
			ok = false
		}
		return ok
	})
	p.space()
	return w, ok && p.i == len(b)
}

// decodeWireRequest reads b as the protocol's JSON request: through the
// fast path when b has the common shape, else through encoding/json.
func decodeWireRequest(b []byte) (wireRequest, error) {
	if w, ok := fastWireRequest(b); ok {
		return w, nil
	}
	var w wireRequest
	err := json.Unmarshal(b, &w)
	return w, err
}

// fastParser walks a JSON body; every method returns false where the
// body leaves the shape fastWireRequest reads.
type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// eat skips spaces and the byte c; false when the next byte is not c.
func (p *fastParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// fastKeys are the keys the fast path reads, in any object.
var fastKeys = [...]string{"id", "parameters", "inputs", "outputs", "name", "shape", "datatype", "data"}

// object reads an object, handing each key, once seen, to member, which
// reads its value. A key seen twice ends the walk (encoding/json keeps
// the last; this parser does not try), as does any key not in fastKeys.
func (p *fastParser) object(member func(key string) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	seen := 0
	for {
		key, ok := p.plainBytes()
		if !ok || !p.eat(':') {
			return false
		}
		k := slices.Index(fastKeys[:], string(key))
		if k < 0 || seen&(1<<k) != 0 || !member(fastKeys[k]) {
			return false
		}
		seen |= 1 << k
		if p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// plainBytes reads a string of printable ASCII without escapes and
// returns its contents, aliasing b.
func (p *fastParser) plainBytes() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (p *fastParser) plainString() (string, bool) {
	s, ok := p.plainBytes()
	return string(s), ok
}

// tensors reads an array of tensor objects.
func (p *fastParser) tensors() ([]wireTensor, bool) {
	if !p.eat('[') {
		return nil, false
	}
	ts := make([]wireTensor, 0, 1)
	if p.eat(']') {
		return ts, true
	}
	for {
		ts = append(ts, wireTensor{})
		if !p.tensor(&ts[len(ts)-1]) {
			return nil, false
		}
		if p.eat(']') {
			return ts, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

func (p *fastParser) tensor(t *wireTensor) bool {
	return p.object(func(key string) bool {
		var ok bool
		switch key {
		case "name":
			t.Name, ok = p.plainString()
		case "datatype":
			var dt []byte
			dt, ok = p.plainBytes()
			t.Datatype = internDatatype(dt)
		case "shape":
			t.Shape, ok = p.shape()
		case "parameters":
			t.Parameters, ok = p.parameters()
		case "data":
			p.space()
			start := p.i
			ok = p.data(0)
			t.Data = rawJSON(p.b[start:p.i])
		}
		return ok
	})
}

// outputs reads an array of requested outputs.
func (p *fastParser) outputs() ([]wireOutput, bool) {
	if !p.eat('[') {
		return nil, false
	}
	os := make([]wireOutput, 0, 1)
	if p.eat(']') {
		return os, true
	}
	for {
		var o wireOutput
		ok := p.object(func(key string) bool {
			var ok bool
			switch key {
			case "name":
				o.Name, ok = p.plainString()
			case "parameters":
				o.Parameters, ok = p.parameters()
			}
			return ok
		})
		if !ok {
			return nil, false
		}
		os = append(os, o)
		if p.eat(']') {
			return os, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// parameters reads a parameters object as Parameters.UnmarshalJSON does:
// strings, booleans, and numbers as int64, uint64 or float64. Its keys
// may be any plain string, each at most once.
func (p *fastParser) parameters() (Parameters, bool) {
	if !p.eat('{') {
		return nil, false
	}
	params := Parameters{}
	if p.eat('}') {
		return params, true
	}
	for {
		key, ok := p.plainBytes()
		if !ok || !p.eat(':') {
			return nil, false
		}
		if _, dup := params[string(key)]; dup {
			return nil, false
		}
		v, ok := p.parameter()
		if !ok {
			return nil, false
		}
		params[internParamKey(key)] = v
		if p.eat('}') {
			return params, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// internParamKey returns key as a string, without allocating for the
// binary tensor data extension's parameters, which stock clients send
// with every binary tensor.
func internParamKey(key []byte) string {
	for _, k := range [...]string{ParamBinarySize, ParamBinaryData, ParamBinaryOutput} {
		if string(key) == k {
			return k
		}
	}
	return string(key)
}

// parameter reads one parameter's value.
func (p *fastParser) parameter() (any, bool) {
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch p.b[p.i] {
	case '"':
		return p.plainString()
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	}
	tok, ok := p.number()
	if !ok {
		return nil, false
	}
	return parseNumber(json.Number(tok)), true
}

// internDatatype returns the protocol's name of dt without allocating,
// or a copy of dt when it names none.
func internDatatype(dt []byte) string {
	for _, d := range [...]Datatype{Bool, Uint8, Uint16, Uint32, Uint64, Int8, Int16, Int32, Int64, FP16, BF16, FP32, FP64, Bytes} {
		if string(dt) == string(d) {
			return string(d)
		}
	}
	return string(dt)
}

// shape reads an array of integers as encoding/json reads them into
// []int64.
func (p *fastParser) shape() ([]int64, bool) {
	if !p.eat('[') {
		return nil, false
	}
	dims := make([]int64, 0, 4)
	if p.eat(']') {
		return dims, true
	}
	for {
		p.space()
		tok, ok := p.number()
		if !ok {
			return nil, false
		}
		d, err := strconv.ParseInt(string(tok), 10, 64)
		if err != nil {
			return nil, false // a fraction, an exponent or out of range: encoding/json says which
		}
		dims = append(dims, d)
		if p.eat(']') {
			return dims, true
		}
		if !p.eat(',') {
			return nil, false
		}
	}
}

// maxFastDepth bounds the nesting of a data value the fast path reads;
// deeper ones go to encoding/json.
const maxFastDepth = 32

// data reads a tensor's data: a number, true, false, null or an array of
// them, nested; false for strings and objects, left to encoding/json.
func (p *fastParser) data(depth int) bool {
	p.space()
	if p.i >= len(p.b) || depth > maxFastDepth {
		return false
	}
	switch p.b[p.i] {
	case '[':
		p.i++
		if p.eat(']') {
			return true
		}
		for {
			if !p.data(depth + 1) {
				return false
			}
			if p.eat(']') {
				return true
			}
			if !p.eat(',') {
				return false
			}
		}
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	_, ok := p.number()
	return ok
}

func (p *fastParser) literal(word string) bool {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}

// number reads a number as JSON's grammar spells it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *fastParser) number() ([]byte, bool) {
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return nil, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, false
		}
	}
	return p.b[start:p.i], true
}

// digits skips decimal digits and returns how many.
func (p *fastParser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
