package oip

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fastBodies are bodies of the common shape, which the fast path reads,
// and near misses, which it must leave to encoding/json.
var fastBodies = []struct {
	body string
	fast bool
}{
	{`{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}`, true},
	{` { "id" : "a" , "inputs" : [ { "name" : "x" , "datatype" : "INT64" , "shape" : [ 2 , 2 ] , "data" : [ [ 1 , -2 ] , [ 3e2 , 4.5E-1 ] ] } ] } `, true},
	{`{"inputs":[{"name":"b","shape":[3],"datatype":"BOOL","data":[true,false,null]}],"id":"z"}`, true},
	{`{"inputs":[{"name":"s","shape":[],"datatype":"FP64","data":-0.0}]}`, true},
	{`{"inputs":[{"name":"e","shape":[0],"datatype":"FP32","data":[]},{"name":"n","datatype":"nope"}]}`, true},
	{`{"inputs":[]}`, true},
	{`{"id":"1","parameters":{"k":1,"big":18446744073709551615,"f":-1.5e3,"s":"v","t":true,"n":false},"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"y","parameters":{"binary_data":true}},{"name":"z"}]}`, true},
	{`{"parameters":{},"outputs":[],"inputs":[{"name":"x","parameters":{}}]}`, true},
	{`{"parameters":{"k":1,"k":2}}`, false},
	{`{"parameters":{"k":null}}`, false},
	{`{"parameters":{"k":[1]}}`, false},
	{`{"parameters":{"k":{"a":1}}}`, false},
	{`{"parameters":{"k":"\n"}}`, false},
	{`{"parameters":null}`, false},
	{`{"outputs":[{"name":"y","shape":[1]}]}`, false},
	{`{"outputs":[{"name":"y"}],"outputs":[]}`, false},
	{`{"inputs":[{"name":"x","id":"a"}]}`, false},
	{`{}`, true},
	{`{"inputs":[{"name":"s","shape":[1],"datatype":"BYTES","data":["a"]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"outputs":[{"name":"y"}]}`, true},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1],"parameters":{"k":1}}]}`, true},
	{`{"Inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}`, false},
	{`{"id":"a","id":"b"}`, false},
	{`{"id":"\u00e9"}`, false},
	{`{"id":"é"}`, false},
	{`{"id":null}`, false},
	{`{"inputs":[{"name":"x","shape":[1.5],"datatype":"FP32","data":[1]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[99999999999999999999],"datatype":"FP32","data":[1]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[01]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1.]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1,,2]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1,]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[+1]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[nul]}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":{"a":1}}]}`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]} x`, false},
	{`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]`, false},
	{`{"inputs":null}`, false},
	{`[]`, false},
	{``, false},
}

// TestFastWireRequest checks that the fast path reads what encoding/json
// reads from every body it takes, and gives up on the near misses.
func TestFastWireRequest(t *testing.T) {
	for _, tt := range fastBodies {
		got, ok := fastWireRequest([]byte(tt.body))
		if ok != tt.fast {
			t.Errorf("fastWireRequest(%s): ok %v, want %v", tt.body, ok, tt.fast)
		}
		if !ok {
			continue
		}
		var want wireRequest
		if err := json.Unmarshal([]byte(tt.body), &want); err != nil {
			t.Fatalf("encoding/json refuses %s, which the fast path took: %v", tt.body, err)
		}
		if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
			t.Errorf("fastWireRequest(%s) (-encoding/json +fast):\n%s", tt.body, diff)
		}
	}
}

// FuzzFastWireRequest checks that whatever body the fast path takes,
// encoding/json reads the same.
func FuzzFastWireRequest(f *testing.F) {
	for _, tt := range fastBodies {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := fastWireRequest(body)
		if !ok {
			return
		}
		var want wireRequest
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("encoding/json refuses %q, which the fast path took: %v", body, err)
		}
		if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
			t.Errorf("fastWireRequest(%q) (-encoding/json +fast):\n%s", body, diff)
		}
	})
}
