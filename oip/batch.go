package oip

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
)

// Rows returns the size of dimension 0, which every input must share: the
// number of rows the request contributes to a batch. It fails with an error
// matching ErrInvalid if r has no inputs, an input is a scalar, or two
// inputs disagree.
func (r *InferenceRequest) Rows() (int64, error) {
	n, err := rowsOf(r)
	if err != nil {
		return 0, invalidf("oip: %w", err)
	}
	return n, nil
}

// rowsOf is Rows with an unprefixed error message.
func rowsOf(r *InferenceRequest) (int64, error) {
	if len(r.Inputs) == 0 {
		return 0, fmt.Errorf("request has no inputs")
	}
	var rows int64
	for i := range r.Inputs {
		t := &r.Inputs[i]
		switch {
		case len(t.Shape) == 0:
			return 0, fmt.Errorf("input %q: a scalar has no dimension 0", t.Name)
		case i == 0:
			rows = t.Shape[0]
		case t.Shape[0] != rows:
			return 0, fmt.Errorf("input %q has %d rows, input %q has %d", t.Name, t.Shape[0], r.Inputs[0].Name, rows)
		}
	}
	return rows, nil
}

// BatchKey returns a string that is equal for two requests exactly when
// their inputs have the same names in the same order, the same datatypes,
// the same ranks and the same dimensions beyond dimension 0, that is when
// MergeRequests can concatenate them. It ignores IDs, parameters and
// requested outputs. It costs one allocation (two if the key exceeds 128
// bytes).
func (r *InferenceRequest) BatchKey() string {
	var arr [128]byte
	return string(r.AppendBatchKey(arr[:0]))
}

// AppendBatchKey appends r's BatchKey to b and returns the extended
// buffer, so that a caller can build a longer key in one allocation.
func (r *InferenceRequest) AppendBatchKey(b []byte) []byte {
	for i := range r.Inputs {
		t := &r.Inputs[i]
		b = strconv.AppendInt(b, int64(len(t.Name)), 10) // length-prefixed: no separator can be forged
		b = append(append(b, ':'), t.Name...)
		b = strconv.AppendInt(b, int64(len(t.Datatype)), 10)
		b = append(append(b, ':'), t.Datatype...)
		b = append(strconv.AppendInt(b, int64(len(t.Shape)), 10), ':')
		for j := 1; j < len(t.Shape); j++ {
			b = append(strconv.AppendInt(b, t.Shape[j], 10), ',')
		}
		b = append(b, ';')
	}
	return b
}

// MergeRequests concatenates reqs along dimension 0 into one request and
// returns it with each member's row count. Every member must have rows
// (see Rows) and the BatchKey of reqs[0]; breaking either, or storage that
// does not match a member's shape, fails with an error matching
// ErrBatchMismatch that names the member.
//
// The merged request has no ID; its parameters are those every member
// shares with the same value; each input keeps reqs[0]'s tensor parameters;
// its requested outputs are the union of the members' in first-seen order,
// or none (all outputs) if any member asked for all. The merged fixed-size
// inputs are fresh copies; BYTES elements, parameter maps and, for a single
// member, the whole inputs slice are shared with the members, so treat the
// result as read-only. Safe for concurrent use on requests nobody modifies.
func MergeRequests(reqs []*InferenceRequest) (*InferenceRequest, []int64, error) {
	if len(reqs) == 0 {
		return nil, nil, mismatchf("oip: merge of no requests")
	}
	rows, err := memberRows(reqs)
	if err != nil {
		return nil, nil, err
	}
	first := reqs[0]
	merged := &InferenceRequest{Parameters: commonParams(reqs), Outputs: unionOutputs(reqs)}
	if len(reqs) == 1 {
		merged.Inputs = first.Inputs
		return merged, rows, nil
	}
	var total int64
	for _, n := range rows {
		total += n
	}
	merged.Inputs = make([]Tensor, len(first.Inputs))
	dims := make([]int64, 0, shapeDims(first.Inputs))
	for j := range first.Inputs {
		start := len(dims)
		dims = append(append(dims, total), first.Inputs[j].Shape[1:]...)
		if merged.Inputs[j], err = concatInput(reqs, rows, j, dims[start:len(dims):len(dims)]); err != nil {
			return nil, nil, err
		}
	}
	return merged, rows, nil
}

// memberRows returns each member's rows, checking the members merge.
func memberRows(reqs []*InferenceRequest) ([]int64, error) {
	rows := make([]int64, len(reqs))
	for i, r := range reqs {
		n, err := rowsOf(r)
		if err != nil {
			return nil, mismatchf("oip: batch member %d: %w", i, err)
		}
		if i > 0 && !sameKey(reqs[0], r) {
			return nil, mismatchf("oip: batch member %d: inputs differ from member 0's in names, datatypes or shapes beyond dimension 0", i)
		}
		rows[i] = n
	}
	return rows, nil
}

// sameKey reports whether first and r have equal BatchKeys, comparing the
// fields directly rather than building the keys.
func sameKey(first, r *InferenceRequest) bool {
	if len(first.Inputs) != len(r.Inputs) {
		return false
	}
	for i := range r.Inputs {
		a, b := &first.Inputs[i], &r.Inputs[i]
		if a.Name != b.Name || a.Datatype != b.Datatype || len(a.Shape) != len(b.Shape) ||
			len(a.Shape) > 0 && !slices.Equal(a.Shape[1:], b.Shape[1:]) {
			return false
		}
	}
	return true
}

func shapeDims(ts []Tensor) int {
	n := 0
	for i := range ts {
		n += len(ts[i].Shape)
	}
	return n
}

// concatInput concatenates input j of every member; shape is the merged
// input's shape. pre: members share reqs[0]'s batch key.
func concatInput(reqs []*InferenceRequest, rows []int64, j int, shape []int64) (Tensor, error) {
	first := &reqs[0].Inputs[j]
	out := Tensor{Name: first.Name, Datatype: first.Datatype, Shape: shape, Parameters: first.Parameters}
	rowElems, ok := elementCount(shape[1:])
	if !ok || !first.Datatype.Valid() {
		return Tensor{}, mismatchf("oip: input %q: datatype %q and shape %v cannot be batched", first.Name, first.Datatype, first.Shape)
	}
	size := int64(first.Datatype.Size())
	n := 0
	for i, r := range reqs {
		t := &r.Inputs[j]
		have, want := int64(len(t.Raw)), rows[i]*rowElems*size
		if first.Datatype == Bytes {
			have, want = int64(len(t.Elems)), rows[i]*rowElems
		}
		if have != want {
			return Tensor{}, mismatchf("oip: batch member %d: input %q: shape %v needs %d elements' storage, data has %d", i, t.Name, t.Shape, want, have)
		}
		n += int(have)
	}
	if first.Datatype == Bytes {
		out.Elems = make([][]byte, 0, n)
		for _, r := range reqs {
			out.Elems = append(out.Elems, r.Inputs[j].Elems...)
		}
		return out, nil
	}
	out.Raw = make([]byte, 0, n)
	for _, r := range reqs {
		out.Raw = append(out.Raw, r.Inputs[j].Raw...)
	}
	return out, nil
}

// commonParams returns the parameters every member has with equal values:
// reqs[0]'s own map when the others all match it, else a new one.
func commonParams(reqs []*InferenceRequest) Parameters {
	first := reqs[0].Parameters
	if len(first) == 0 {
		return nil
	}
	shared := func(k string, v any) bool {
		for _, r := range reqs[1:] {
			if w, ok := r.Parameters[k]; !ok || !reflect.DeepEqual(v, w) {
				return false
			}
		}
		return true
	}
	all := true
	for k, v := range first {
		all = all && shared(k, v)
	}
	if all {
		return first
	}
	common := make(Parameters, len(first))
	for k, v := range first {
		if shared(k, v) {
			common[k] = v
		}
	}
	if len(common) == 0 {
		return nil
	}
	return common
}

// unionOutputs returns the union of the members' requested outputs, or nil
// if any member wants all outputs. It shares reqs[0]'s slice when no other
// member adds a name.
func unionOutputs(reqs []*InferenceRequest) []RequestedOutput {
	out := reqs[0].Outputs
	owned := false
	for _, r := range reqs {
		if len(r.Outputs) == 0 {
			return nil
		}
		for _, o := range r.Outputs {
			if slices.ContainsFunc(out, func(x RequestedOutput) bool { return x.Name == o.Name }) {
				continue
			}
			if !owned {
				out, owned = slices.Clip(out), true // the next append copies
			}
			out = append(out, o)
		}
	}
	return out
}
