package oip

import (
	"fmt"
	"slices"
)

// Validate checks what decoding one element at a time cannot: that r has at
// least one input; that every input has a name, a known datatype and a
// shape without negative dimensions; that each holds exactly as many
// elements as its shape asks (len(Raw) = count × Datatype.Size(), or
// len(Elems) = count for BYTES, and not both); and that input names and
// requested output names are unique. Errors match ErrInvalid and name the
// input, e.g. `oip: input "x": shape [2 3] needs 6 elements, data has 5`.
func (r *InferenceRequest) Validate() error {
	if len(r.Inputs) == 0 {
		return invalidf("oip: request has no inputs")
	}
	for i := range r.Inputs {
		if err := validateTensor("input", i, &r.Inputs[i]); err != nil {
			return err
		}
	}
	if i, j, dup := firstDuplicate(len(r.Inputs), func(i int) string { return r.Inputs[i].Name }); dup {
		return invalidf("oip: input %q: name appears twice (inputs %d and %d)", r.Inputs[j].Name, i, j)
	}
	for i, o := range r.Outputs {
		if o.Name == "" {
			return invalidf("oip: requested output %d: empty name", i)
		}
	}
	if i, j, dup := firstDuplicate(len(r.Outputs), func(i int) string { return r.Outputs[i].Name }); dup {
		return invalidf("oip: requested output %q: name appears twice (outputs %d and %d)", r.Outputs[j].Name, i, j)
	}
	return nil
}

// Validate checks a response as InferenceRequest.Validate checks a request,
// except that a response may have no outputs. Errors match ErrInvalid and
// name the output.
func (r *InferenceResponse) Validate() error {
	for i := range r.Outputs {
		if err := validateTensor("output", i, &r.Outputs[i]); err != nil {
			return err
		}
	}
	if i, j, dup := firstDuplicate(len(r.Outputs), func(i int) string { return r.Outputs[i].Name }); dup {
		return invalidf("oip: output %q: name appears twice (outputs %d and %d)", r.Outputs[j].Name, i, j)
	}
	return nil
}

// validateTensor checks one tensor; role ("input" or "output") and its
// index i name it in errors.
func validateTensor(role string, i int, t *Tensor) error {
	if t.Name == "" {
		return invalidf("oip: %s %d: empty name", role, i)
	}
	if !t.Datatype.Valid() {
		return invalidf("oip: %s %q: unknown datatype %q", role, t.Name, t.Datatype)
	}
	want, ok := elementCount(t.Shape)
	if !ok {
		why := "has more elements than an int64 counts"
		if slices.ContainsFunc(t.Shape, func(d int64) bool { return d < 0 }) {
			why = "has a negative dimension"
		}
		return invalidf("oip: %s %q: shape %v %s", role, t.Name, t.Shape, why)
	}
	have, err := storedElements(t)
	if err != nil {
		return invalidf("oip: %s %q: %w", role, t.Name, err)
	}
	if have != want {
		return invalidf("oip: %s %q: shape %v needs %d elements, data has %d", role, t.Name, t.Shape, want, have)
	}
	return nil
}

// storedElements returns how many elements t holds in its canonical
// storage, or an error if that storage is inconsistent with its datatype.
// pre: t.Datatype.Valid().
func storedElements(t *Tensor) (int64, error) {
	if t.Datatype == Bytes {
		if len(t.Raw) > 0 {
			return 0, fmt.Errorf("BYTES data must be in Elems, found %d raw bytes", len(t.Raw))
		}
		return int64(len(t.Elems)), nil
	}
	if len(t.Elems) > 0 {
		return 0, fmt.Errorf("%s data must be in Raw, found %d Elems", t.Datatype, len(t.Elems))
	}
	size := t.Datatype.Size()
	if len(t.Raw)%size != 0 {
		return 0, fmt.Errorf("raw data has %d bytes, not a multiple of %d", len(t.Raw), size)
	}
	return int64(len(t.Raw) / size), nil
}

// smallSet is the count up to which firstDuplicate compares names pairwise
// instead of building a map.
const smallSet = 16

// firstDuplicate returns the indexes i < j of the first name (in order of
// j) that occurs twice among name(0) … name(n-1).
func firstDuplicate(n int, name func(int) string) (i, j int, dup bool) {
	if n <= smallSet {
		for j := 1; j < n; j++ {
			for i := range j {
				if name(i) == name(j) {
					return i, j, true
				}
			}
		}
		return 0, 0, false
	}
	seen := make(map[string]int, n)
	for j := range n {
		if i, ok := seen[name(j)]; ok {
			return i, j, true
		}
		seen[name(j)] = j
	}
	return 0, 0, false
}
