package oip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The seed corpora of these targets live in testdata/fuzz/<target>/ and
// run in every `go test`; `make fuzz` explores beyond them.

// FuzzDecodeRequest checks that any body either fails with an error
// matching ErrInvalid or decodes into a valid request that encodes back
// into JSON decoding to the same request.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"id":"a","inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2],[3,4]]}]}`))
	f.Add([]byte(`{"inputs":[{"name":"s","datatype":"BYTES","shape":[1],"data":["\u00e9t\u00e9"]}],"outputs":[{"name":"s"}],"parameters":{"k":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(body)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("DecodeRequest(%q) = %v, not matching ErrInvalid", body, err)
			}
			return
		}
		again, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("a decoded request does not encode: %v\nbody %q", err, body)
		}
		back, err := DecodeRequest(again)
		if err != nil {
			t.Fatalf("re-encoded request %q does not decode: %v", again, err)
		}
		if diff := cmp.Diff(r, back, equateEmpty); diff != "" {
			t.Errorf("request changed through JSON (-first +second):\n%s\nbody %q\nagain %q", diff, body, again)
		}
	})
}

// FuzzDecodeResponse checks DecodeResponse as FuzzDecodeRequest checks
// DecodeRequest: a worker's answer is as untrusted as a client's request.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"model_name":"sum","model_version":"1","id":"a","outputs":[{"name":"sum","datatype":"FP32","shape":[2],"data":[6,15]}]}`))
	f.Add([]byte(`{"model_name":"m","outputs":[{"name":"b","datatype":"BOOL","shape":[],"data":true}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeResponse(body)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("DecodeResponse(%q) = %v, not matching ErrInvalid", body, err)
			}
			return
		}
		again, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("a decoded response does not encode: %v\nbody %q", err, body)
		}
		back, err := DecodeResponse(again)
		if err != nil {
			t.Fatalf("re-encoded response %q does not decode: %v", again, err)
		}
		if diff := cmp.Diff(r, back, equateEmpty); diff != "" {
			t.Errorf("response changed through JSON (-first +second):\n%s\nbody %q\nagain %q", diff, body, again)
		}
	})
}

// FuzzMergeSplit merges requests built from the fuzzer's bytes, answers
// the merged request as an echo model would (every input back as an
// output of the same name) and splits the answer: each member must get
// back exactly its own inputs, under its own ID. Requests that cannot
// merge must fail with ErrBatchMismatch.
//
// plan shapes the members: its first byte, the number of members (1 to
// 8); each further byte, one member's rows (0 to 7); data fills their
// elements. width is the size of dimension 1 (1 to 4) and bytes selects
// BYTES rather than INT32 elements for the second input.
func FuzzMergeSplit(f *testing.F) {
	f.Add([]byte{3, 1, 2, 3}, []byte("abcdefgh"), uint8(2), false)
	f.Add([]byte{2, 0, 5}, []byte{1, 2, 3}, uint8(1), true)
	f.Fuzz(func(t *testing.T, plan, data []byte, width uint8, bytes bool) {
		reqs := fuzzMembers(plan, data, int64(width%4)+1, bytes)
		if len(reqs) == 0 {
			return
		}
		merged, rows, err := MergeRequests(reqs)
		if err != nil {
			if !errors.Is(err, ErrBatchMismatch) {
				t.Fatalf("MergeRequests: %v, not matching ErrBatchMismatch", err)
			}
			return
		}
		parts, err := SplitResponse(&InferenceResponse{ModelName: "echo", Outputs: merged.Inputs}, reqs, rows)
		if err != nil {
			t.Fatalf("SplitResponse of the echo of a merge: %v", err)
		}
		for i, r := range reqs {
			want := &InferenceResponse{ModelName: "echo", ID: r.ID, Outputs: r.Inputs}
			if diff := cmp.Diff(want, parts[i], equateEmpty); diff != "" {
				t.Errorf("member %d (-want +got):\n%s", i, diff)
			}
		}
	})
}

// fuzzMembers builds the members FuzzMergeSplit describes. A member of 0
// rows is kept: MergeRequests must handle it.
func fuzzMembers(plan, data []byte, width int64, bytes bool) []*InferenceRequest {
	if len(plan) == 0 {
		return nil
	}
	n := int(plan[0])%8 + 1
	reqs := make([]*InferenceRequest, 0, n)
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	for i := range n {
		rows := int64(0)
		if i+1 < len(plan) {
			rows = int64(plan[i+1] % 8)
		}
		reqs = append(reqs, &InferenceRequest{ID: fmt.Sprint("m", i), Inputs: []Tensor{
			fuzzFP32("x", rows, width, next),
			fuzzSecond(rows, bytes, next),
		}})
	}
	return reqs
}

func fuzzFP32(name string, rows, width int64, next func() byte) Tensor {
	vals := make([]float32, rows*width)
	for i := range vals {
		vals[i] = float32(int8(next()))
	}
	return NewFP32(name, []int64{rows, width}, vals)
}

// fuzzSecond is a second input of one element per row: BYTES of up to 3
// bytes each, or INT32.
func fuzzSecond(rows int64, bytes bool, next func() byte) Tensor {
	if bytes {
		elems := make([][]byte, rows)
		for i := range elems {
			for range next() % 4 {
				elems[i] = append(elems[i], next())
			}
		}
		return NewBytes("y", []int64{rows}, elems)
	}
	raw := make([]byte, 0, 4*rows)
	for range rows {
		raw = binary.LittleEndian.AppendUint32(raw, uint32(next())<<8|uint32(next()))
	}
	return NewRaw("y", Int32, []int64{rows}, raw)
}
