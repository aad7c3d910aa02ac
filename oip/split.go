package oip

// SplitResponse splits the response to a merged request back into one
// response per member, cutting every output along dimension 0 at the
// members' row counts rows (as MergeRequests returned them, in the order of
// reqs). Member i gets the outputs it asked for (all of them if it asked
// for none), in the response's order, under its own request ID, with the
// response's model name, version and parameters.
//
// It fails with an error matching ErrBatchMismatch if len(rows) differs
// from len(reqs), a row count is negative, or an output is a scalar, has a
// dimension 0 other than the sum of rows, or holds storage that does not
// match its shape. The member responses share the batch response's
// storage and parameter maps (their data is sliced, not copied): treat them
// as read-only. The allocations are four whatever the batch size.
func SplitResponse(resp *InferenceResponse, reqs []*InferenceRequest, rows []int64) ([]*InferenceResponse, error) {
	if len(reqs) != len(rows) {
		return nil, mismatchf("oip: split into %d members with %d row counts", len(reqs), len(rows))
	}
	var total int64
	for i, n := range rows {
		if n < 0 {
			return nil, mismatchf("oip: split: member %d has %d rows", i, n)
		}
		total += n
	}
	nTensors, nDims := 0, 0
	for o := range resp.Outputs {
		t := &resp.Outputs[o]
		if err := checkSplittable(t, total); err != nil {
			return nil, err
		}
		for _, r := range reqs {
			if wants(r, t.Name) {
				nTensors++
				nDims += len(t.Shape)
			}
		}
	}
	tensors := make([]Tensor, 0, nTensors)
	dims := make([]int64, 0, nDims)
	out := make([]InferenceResponse, len(reqs))
	ptrs := make([]*InferenceResponse, len(reqs))
	var offset int64
	for i, r := range reqs {
		start := len(tensors)
		tensors, dims = appendRowSlices(tensors, dims, resp.Outputs, r, offset, rows[i])
		offset += rows[i]
		out[i] = InferenceResponse{
			ModelName: resp.ModelName, ModelVersion: resp.ModelVersion, ID: r.ID,
			Parameters: resp.Parameters, Outputs: tensors[start:len(tensors):len(tensors)],
		}
		ptrs[i] = &out[i]
	}
	return ptrs, nil
}

// checkSplittable checks that t has total rows and storage to match.
func checkSplittable(t *Tensor, total int64) error {
	if len(t.Shape) == 0 || t.Shape[0] != total {
		return mismatchf("oip: output %q: shape %v, batch has %d rows", t.Name, t.Shape, total)
	}
	want, ok := elementCount(t.Shape)
	if !t.Datatype.Valid() || !ok {
		return mismatchf("oip: output %q: datatype %q and shape %v cannot be split", t.Name, t.Datatype, t.Shape)
	}
	have, err := storedElements(t)
	if err != nil {
		return mismatchf("oip: output %q: %w", t.Name, err)
	}
	if have != want {
		return mismatchf("oip: output %q: shape %v needs %d elements, data has %d", t.Name, t.Shape, want, have)
	}
	return nil
}

// wants reports whether r asked for the output named name, or for all.
func wants(r *InferenceRequest, name string) bool {
	if len(r.Outputs) == 0 {
		return true
	}
	for _, o := range r.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// appendRowSlices appends to tensors, for each output r wants, the rows
// [offset, offset+n) of that output, carving their shapes from dims.
// pre: every output passed checkSplittable; the capacities suffice.
func appendRowSlices(tensors []Tensor, dims []int64, outputs []Tensor, r *InferenceRequest, offset, n int64) ([]Tensor, []int64) {
	for o := range outputs {
		t := &outputs[o]
		if !wants(r, t.Name) {
			continue
		}
		start := len(dims)
		dims = append(append(dims, n), t.Shape[1:]...)
		part := Tensor{Name: t.Name, Datatype: t.Datatype, Shape: dims[start:len(dims):len(dims)], Parameters: t.Parameters}
		rowElems, _ := elementCount(t.Shape[1:])
		lo, hi := offset*rowElems, (offset+n)*rowElems
		if t.Datatype == Bytes {
			part.Elems = t.Elems[lo:hi:hi]
		} else {
			size := int64(t.Datatype.Size())
			part.Raw = t.Raw[lo*size : hi*size : hi*size]
		}
		tensors = append(tensors, part)
	}
	return tensors, dims
}
