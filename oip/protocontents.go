package oip

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/sluice-gateway/sluice/oip/inferencepb"
)

// lenPrefix is the size of the little-endian length before each BYTES
// element in raw contents.
const lenPrefix = 4

// fromRaw sets t's storage from its raw contents, aliasing raw.
func fromRaw(t *Tensor, raw []byte) error {
	if t.Datatype != Bytes {
		t.Raw = raw
		return nil
	}
	elems := make([][]byte, 0, elementHint(t.Shape, raw, lenPrefix))
	for off := 0; off < len(raw); {
		if len(raw)-off < lenPrefix {
			return fmt.Errorf("raw BYTES element %d: %d bytes left, too few for a length", len(elems), len(raw)-off)
		}
		n := binary.LittleEndian.Uint32(raw[off:])
		off += lenPrefix
		if uint64(n) > uint64(len(raw)-off) {
			return fmt.Errorf("raw BYTES element %d: length %d exceeds the %d bytes left", len(elems), n, len(raw)-off)
		}
		end := off + int(n)
		elems = append(elems, raw[off:end:end])
		off = end
	}
	t.Elems = elems
	return nil
}

// toRaw returns t's elements in raw-contents form: t.Raw itself for a
// fixed-size datatype, length-prefixed elements for BYTES.
func toRaw(t *Tensor) []byte {
	if t.Datatype != Bytes {
		if t.Raw == nil {
			return []byte{}
		}
		return t.Raw
	}
	n := 0
	for _, e := range t.Elems {
		n += lenPrefix + len(e)
	}
	raw := make([]byte, 0, n)
	for _, e := range t.Elems {
		raw = binary.LittleEndian.AppendUint32(raw, uint32(len(e)))
		raw = append(raw, e...)
	}
	return raw
}

// hasContents reports whether c holds any element.
func hasContents(c *inferencepb.InferTensorContents) bool {
	return len(c.GetBoolContents())+len(c.GetIntContents())+len(c.GetInt64Contents())+
		len(c.GetUintContents())+len(c.GetUint64Contents())+len(c.GetFp32Contents())+
		len(c.GetFp64Contents())+len(c.GetBytesContents()) > 0
}

// fromContents sets t's storage from typed contents (nil c: no elements).
// BYTES elements alias c's.
func fromContents(t *Tensor, c *inferencepb.InferTensorContents) error {
	var err error
	switch t.Datatype {
	case Bytes:
		t.Elems = c.GetBytesContents()
		if t.Elems == nil {
			t.Elems = [][]byte{}
		}
	case Bool:
		t.Raw = packBools(c.GetBoolContents())
	case Int8, Int16, Int32:
		t.Raw, err = packInts(c.GetIntContents(), t.Datatype)
	case Int64:
		t.Raw, err = packInts(c.GetInt64Contents(), t.Datatype)
	case Uint8, Uint16, Uint32:
		t.Raw, err = packInts(c.GetUintContents(), t.Datatype)
	case Uint64:
		t.Raw, err = packInts(c.GetUint64Contents(), t.Datatype)
	case FP32:
		t.Raw = packFloat32s(c.GetFp32Contents())
	case FP64:
		t.Raw = packFloat64s(c.GetFp64Contents())
	default: // FP16, BF16
		if hasContents(c) {
			return fmt.Errorf("%s has no typed contents; send raw contents", t.Datatype)
		}
		t.Raw = []byte{}
	}
	return err
}

func packBools(vals []bool) []byte {
	raw := make([]byte, len(vals))
	for i, v := range vals {
		if v {
			raw[i] = 1
		}
	}
	return raw
}

// packInts packs typed integers as dt's little-endian elements, checking
// each is in dt's range.
func packInts[T int32 | int64 | uint32 | uint64](vals []T, dt Datatype) ([]byte, error) {
	minVal, umax, _ := dt.intRange()
	size := dt.Size()
	raw := make([]byte, 0, len(vals)*size)
	for i, v := range vals {
		if v < 0 && int64(v) < minVal || v > 0 && uint64(v) > umax {
			return nil, fmt.Errorf("element %d: %d out of range for %s", i, v, dt)
		}
		raw = appendUint(raw, uint64(v), size)
	}
	return raw, nil
}

func packFloat32s(vals []float32) []byte {
	raw := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return raw
}

func packFloat64s(vals []float64) []byte {
	raw := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	return raw
}

// paramsFromProto converts proto parameters; unset values are dropped.
func paramsFromProto(m map[string]*inferencepb.InferParameter) Parameters {
	if len(m) == 0 {
		return nil
	}
	p := make(Parameters, len(m))
	for k, v := range m {
		switch c := v.GetParameterChoice().(type) {
		case *inferencepb.InferParameter_BoolParam:
			p[k] = c.BoolParam
		case *inferencepb.InferParameter_Int64Param:
			p[k] = c.Int64Param
		case *inferencepb.InferParameter_StringParam:
			p[k] = c.StringParam
		case *inferencepb.InferParameter_DoubleParam:
			p[k] = c.DoubleParam
		case *inferencepb.InferParameter_Uint64Param:
			p[k] = c.Uint64Param
		}
	}
	return p
}

// paramsToProto converts parameters to proto values: bool, string, int64,
// uint64 and float64 to their own choice (other integer and float types
// widened), anything else to its fmt.Sprint string.
func paramsToProto(p Parameters) map[string]*inferencepb.InferParameter {
	if len(p) == 0 {
		return nil
	}
	m := make(map[string]*inferencepb.InferParameter, len(p))
	for k, v := range p {
		m[k] = paramToProto(v)
	}
	return m
}

// paramToProto converts one parameter value.
func paramToProto(v any) *inferencepb.InferParameter {
	p := &inferencepb.InferParameter{}
	switch v := v.(type) {
	case bool:
		p.ParameterChoice = &inferencepb.InferParameter_BoolParam{BoolParam: v}
	case string:
		p.ParameterChoice = &inferencepb.InferParameter_StringParam{StringParam: v}
	case int64:
		p.ParameterChoice = &inferencepb.InferParameter_Int64Param{Int64Param: v}
	case int:
		p.ParameterChoice = &inferencepb.InferParameter_Int64Param{Int64Param: int64(v)}
	case int32:
		p.ParameterChoice = &inferencepb.InferParameter_Int64Param{Int64Param: int64(v)}
	case uint64:
		p.ParameterChoice = &inferencepb.InferParameter_Uint64Param{Uint64Param: v}
	case uint32:
		p.ParameterChoice = &inferencepb.InferParameter_Uint64Param{Uint64Param: uint64(v)}
	case float64:
		p.ParameterChoice = &inferencepb.InferParameter_DoubleParam{DoubleParam: v}
	case float32:
		p.ParameterChoice = &inferencepb.InferParameter_DoubleParam{DoubleParam: float64(v)}
	default:
		p.ParameterChoice = &inferencepb.InferParameter_StringParam{StringParam: fmt.Sprint(v)}
	}
	return p
}
