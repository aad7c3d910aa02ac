package oip

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// body wraps one input's JSON members in a request body.
func body(input string) string {
	return `{"inputs":[{"name":"x",` + input + `}]}`
}

func TestUnmarshalRequestDatatypes(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Tensor
	}{
		{"BOOL flat", `"shape":[3],"datatype":"BOOL","data":[true,false,true]`,
			NewBool("x", shape(3), []bool{true, false, true})},
		{"BOOL nested", `"shape":[2,2],"datatype":"BOOL","data":[[true,false],[false,true]]`,
			NewBool("x", shape(2, 2), []bool{true, false, false, true})},
		{"UINT8", `"shape":[3],"datatype":"UINT8","data":[0,7,255]`,
			raw("x", Uint8, shape(3), le(1, 0, 7, 255))},
		{"UINT16", `"shape":[2],"datatype":"UINT16","data":[[0],[65535]]`,
			raw("x", Uint16, shape(2), le(2, 0, 65535))},
		{"UINT32", `"shape":[2],"datatype":"UINT32","data":[1,4294967295]`,
			raw("x", Uint32, shape(2), le(4, 1, 4294967295))},
		{"UINT64", `"shape":[2],"datatype":"UINT64","data":[1,18446744073709551615]`,
			raw("x", Uint64, shape(2), le(8, 1, -1))},
		{"INT8", `"shape":[1,3],"datatype":"INT8","data":[[-128,0,127]]`,
			raw("x", Int8, shape(1, 3), le(1, -128, 0, 127))},
		{"INT16", `"shape":[2],"datatype":"INT16","data":[-32768,32767]`,
			raw("x", Int16, shape(2), le(2, -32768, 32767))},
		{"INT32", `"shape":[2],"datatype":"INT32","data":[-2147483648,-0]`,
			NewInt32("x", shape(2), []int32{-2147483648, 0})},
		{"INT64", `"shape":[2],"datatype":"INT64","data":[-9223372036854775808,9223372036854775807]`,
			NewInt64("x", shape(2), []int64{-9223372036854775808, 9223372036854775807})},
		{"FP16", `"shape":[3],"datatype":"FP16","data":[1.5,-2,65504]`,
			raw("x", FP16, shape(3), le16(0x3e00, 0xc000, 0x7bff))},
		{"BF16", `"shape":[3],"datatype":"BF16","data":[1,0.1,-3e38]`,
			raw("x", BF16, shape(3), le16(0x3f80, 0x3dcd, 0xff62))},
		{"FP32 nested three deep", `"shape":[2,1,2],"datatype":"FP32","data":[[[1.5,-0.25]],[[3e38,1e-50]]]`,
			NewFP32("x", shape(2, 1, 2), []float32{1.5, -0.25, 3e38, 0})},
		{"FP32 integers", `"shape":[2],"datatype":"FP32","data":[1, -7]`,
			NewFP32("x", shape(2), []float32{1, -7})},
		{"FP64", `"shape":[2],"datatype":"FP64","data":[0.1,1e300]`,
			NewFP64("x", shape(2), []float64{0.1, 1e300})},
		{"BYTES", `"shape":[4],"datatype":"BYTES","data":["abc","é",""," a\"b\\n\u0041"]`,
			NewStrings("x", shape(4), "abc", "é", "", " a\"b\\nA")},
		{"BYTES nested", `"shape":[2,1],"datatype":"BYTES","data":[["p"],["q"]]`,
			NewStrings("x", shape(2, 1), "p", "q")},
		{"scalar bare value", `"shape":[],"datatype":"INT32","data":42`,
			NewInt32("x", shape(), []int32{42})},
		{"missing shape is a scalar", `"datatype":"FP64","data":[2]`,
			NewFP64("x", shape(), []float64{2})},
		{"whitespace everywhere", `"shape" : [ 2 ] , "datatype" : "INT8" , "data" : [ 1 , [ 2 ] ]`,
			raw("x", Int8, shape(2), le(1, 1, 2))},
		{"data before datatype", `"data":[[1],[2]],"datatype":"UINT16","shape":[2,1]`,
			raw("x", Uint16, shape(2, 1), le(2, 1, 2))},
		{"null data", `"shape":[0],"datatype":"FP32","data":null`,
			NewFP32("x", shape(0), nil)},
		{"empty nested", `"shape":[2,0],"datatype":"BYTES","data":[[],[]]`,
			NewStrings("x", shape(2, 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got InferenceRequest
			if err := json.Unmarshal([]byte(body(tt.input)), &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			diffRequest(t, &InferenceRequest{Inputs: []Tensor{tt.want}}, &got)
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestUnmarshalRequestMembers(t *testing.T) {
	in := `{"id":"req-1","model_name":"ignored",
		"parameters":{"priority":2,"ratio":0.5,"tag":"a","stream":false,"big":18446744073709551615},
		"inputs":[{"name":"x","shape":[1],"datatype":"FP32","parameters":{"content_type":"np"},"data":[1]}],
		"outputs":[{"name":"y","parameters":{"binary_data":true}},{"name":"z"}]}`
	want := &InferenceRequest{
		ID:         "req-1",
		Parameters: Parameters{"priority": int64(2), "ratio": 0.5, "tag": "a", "stream": false, "big": uint64(18446744073709551615)},
		Inputs:     []Tensor{NewFP32("x", shape(1), []float32{1})},
		Outputs:    []RequestedOutput{{Name: "y", Parameters: Parameters{"binary_data": true}}, {Name: "z"}},
	}
	want.Inputs[0].Parameters = Parameters{"content_type": "np"}
	var got InferenceRequest
	if err := got.UnmarshalJSON([]byte(in)); err != nil {
		t.Fatalf("UnmarshalJSON: %v", err)
	}
	diffRequest(t, want, &got)
}

func TestUnmarshalRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"malformed JSON", `{"inputs":[`, []string{"oip: decode request"}},
		{"not an object", `[1,2]`, []string{"oip: decode request"}},
		{"shape of strings", body(`"shape":["a"],"datatype":"FP32","data":[1]`),
			[]string{"oip: decode request: inputs.shape: JSON string where an integer belongs"}},
		{"unknown datatype", body(`"shape":[1],"datatype":"FP8","data":[1]`),
			[]string{`oip: input "x": unknown datatype "FP8"`}},
		{"lowercase datatype", body(`"shape":[1],"datatype":"fp32","data":[1]`),
			[]string{`input "x": unknown datatype "fp32"`}},
		{"UINT8 out of range", body(`"shape":[2],"datatype":"UINT8","data":[1,300]`),
			[]string{`oip: input "x": element 1: 300 out of range for UINT8`}},
		{"UINT16 negative", body(`"shape":[1],"datatype":"UINT16","data":[-1]`),
			[]string{`input "x": element 0: -1 out of range for UINT16`}},
		{"INT8 below range", body(`"shape":[1],"datatype":"INT8","data":[-129]`),
			[]string{`input "x": element 0: -129 out of range for INT8`}},
		{"INT64 above range", body(`"shape":[1],"datatype":"INT64","data":[9223372036854775808]`),
			[]string{`input "x": element 0: 9223372036854775808 out of range for INT64`}},
		{"UINT64 beyond 64 bits", body(`"shape":[1],"datatype":"UINT64","data":[18446744073709551616]`),
			[]string{`input "x": element 0: 18446744073709551616 out of range for UINT64`}},
		{"fraction in INT32", body(`"shape":[2],"datatype":"INT32","data":[1,1.5]`),
			[]string{`input "x": element 1: 1.5 is not an integer`}},
		{"exponent in INT32", body(`"shape":[1],"datatype":"INT32","data":[1e3]`),
			[]string{`input "x": element 0: 1e3 is not an integer`}},
		{"string in FP32", body(`"shape":[1],"datatype":"FP32","data":["1"]`),
			[]string{`input "x": element 0: "1" is not a number`}},
		{"FP32 overflow", body(`"shape":[1],"datatype":"FP32","data":[1e39]`),
			[]string{`input "x": element 0: 1e39 out of range for FP32`}},
		{"FP16 overflow", body(`"shape":[1],"datatype":"FP16","data":[70000]`),
			[]string{`input "x": element 0: 70000 out of range for FP16`}},
		{"BF16 overflow", body(`"shape":[1],"datatype":"BF16","data":[-1e39]`),
			[]string{`input "x": element 0: -1e39 out of range for BF16`}},
		{"FP64 overflow", body(`"shape":[1],"datatype":"FP64","data":[1e309]`),
			[]string{`input "x": element 0: 1e309 out of range for FP64`}},
		{"number in BOOL", body(`"shape":[1],"datatype":"BOOL","data":[1]`),
			[]string{`input "x": element 0: 1 is not true or false`}},
		{"number in BYTES", body(`"shape":[2],"datatype":"BYTES","data":["a",2]`),
			[]string{`input "x": element 1: 2 is not a string`}},
		{"null element", body(`"shape":[1],"datatype":"FP32","data":[null]`),
			[]string{`input "x": element 0: null is not a number`}},
		{"object in data", body(`"shape":[1],"datatype":"FP32","data":[{"a":1}]`),
			[]string{`input "x": element 0: an object is not a tensor element`}},
		{"array parameter", `{"parameters":{"p":[1]},"inputs":[{"name":"x","shape":[],"datatype":"FP32","data":1}]}`,
			[]string{`oip: parameter "p": an array is not a string, number or boolean`}},
		{"null parameter", body(`"shape":[1],"datatype":"FP32","parameters":{"q":null},"data":[1]`),
			[]string{`oip: parameter "q": null is not a string, number or boolean`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeRequest([]byte(tt.body))
			checkErr(t, err, ErrInvalid, tt.want...)
			if got != nil {
				t.Errorf("got request %+v with the error", got)
			}
		})
	}
}

func TestDecodeRequestValidates(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"valid", body(`"shape":[2],"datatype":"INT32","data":[1,2]`), nil},
		{"shape mismatch", body(`"shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5]]`),
			[]string{`oip: input "x": shape [2 3] needs 6 elements, data has 5`}},
		{"negative dimension", body(`"shape":[-1],"datatype":"FP32","data":[1]`),
			[]string{`oip: input "x": shape [-1] has a negative dimension`}},
		{"no inputs", `{"inputs":[]}`, []string{"oip: request has no inputs"}},
		{"duplicate input", `{"inputs":[{"name":"x","shape":[],"datatype":"FP32","data":1},{"name":"x","shape":[],"datatype":"FP32","data":2}]}`,
			[]string{`oip: input "x": name appears twice (inputs 0 and 1)`}},
		{"duplicate requested output", `{"inputs":[{"name":"x","shape":[],"datatype":"FP32","data":1}],"outputs":[{"name":"y"},{"name":"z"},{"name":"y"}]}`,
			[]string{`oip: requested output "y": name appears twice (outputs 0 and 2)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRequest([]byte(tt.body))
			checkErr(t, err, ErrInvalid, tt.want...)
		})
	}
}

func TestUnmarshalViaEncodingJSON(t *testing.T) {
	var r InferenceRequest
	err := json.Unmarshal([]byte(body(`"shape":[1],"datatype":"UINT8","data":[300]`)), &r)
	checkErr(t, err, ErrInvalid, `oip: input "x": element 0: 300 out of range for UINT8`)
}

func TestUnmarshalLeavesRequestOnError(t *testing.T) {
	got := InferenceRequest{ID: "kept"}
	if err := got.UnmarshalJSON([]byte(body(`"shape":[1],"datatype":"UINT8","data":[256]`))); err == nil {
		t.Fatal("want an error")
	}
	if got.ID != "kept" {
		t.Errorf("request changed on error: %+v", got)
	}
}

func TestUnmarshalResponse(t *testing.T) {
	in := `{"model_name":"m","model_version":"3","id":"r","parameters":{"seq":1},
		"outputs":[{"name":"y","shape":[2],"datatype":"FP32","data":[0.5,2]},
		{"name":"s","shape":[1],"datatype":"BYTES","data":["ok"]}]}`
	want := &InferenceResponse{
		ModelName: "m", ModelVersion: "3", ID: "r", Parameters: Parameters{"seq": int64(1)},
		Outputs: []Tensor{NewFP32("y", shape(2), []float32{0.5, 2}), NewStrings("s", shape(1), "ok")},
	}
	got, err := DecodeResponse([]byte(in))
	if err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	diffResponse(t, want, got)

	_, err = DecodeResponse([]byte(`{"outputs":[{"name":"y","shape":[1],"datatype":"INT8","data":[128]}]}`))
	checkErr(t, err, ErrInvalid, `oip: output "y": element 0: 128 out of range for INT8`)
	_, err = DecodeResponse([]byte(`{"outputs":[{"name":"y","shape":[2],"datatype":"INT8","data":[1]}]}`))
	checkErr(t, err, ErrInvalid, `oip: output "y": shape [2] needs 2 elements, data has 1`)
	_, err = DecodeResponse([]byte(`{"outputs":`))
	checkErr(t, err, ErrInvalid, `oip: decode response`)
}

// TestUnmarshalElementCountNotChecked documents the split of work between
// decoding and Validate.
func TestUnmarshalElementCountNotChecked(t *testing.T) {
	var r InferenceRequest
	if err := json.Unmarshal([]byte(body(`"shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5]`)), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	checkErr(t, r.Validate(), ErrInvalid, `oip: input "x": shape [2 3] needs 6 elements, data has 5`)
}

func ExampleInferenceRequest_UnmarshalJSON() {
	var r InferenceRequest
	err := json.Unmarshal([]byte(`{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[[1,2],[3,4]]}]}`), &r)
	if err == nil {
		err = r.Validate()
	}
	vals, _ := r.Inputs[0].Float32s()
	fmt.Println(vals, err)
	// Output: [1 2 3 4] <nil>
}

// TestAppendUnquotedMatchesEncodingJSON decodes random JSON strings, made
// of plain bytes (valid UTF-8 or not), simple escapes and \u escapes
// (surrogates included, paired or not), and compares with encoding/json.
func TestAppendUnquotedMatchesEncodingJSON(t *testing.T) {
	pieces := []string{"a", "é", "😀", "\xff", "\xc3", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
		`\u0041`, `\u00e9`, `\uD83D\uDE00`, `\ud800`, `\udc00`, `\uD800\u0041`, `\uDBFF\uDFFF`, `\uFFFD`, " "}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		tok := []byte{'"'}
		for range rng.IntN(8) {
			tok = append(tok, pieces[rng.IntN(len(pieces))]...)
		}
		tok = append(tok, '"')
		var want string
		if err := json.Unmarshal(tok, &want); err != nil {
			t.Fatalf("encoding/json rejects %s: %v", tok, err)
		}
		got, err := appendUnquoted([]byte("prefix"), tok)
		if err != nil || string(got) != "prefix"+want {
			t.Fatalf("appendUnquoted(%s) = %q, %v; want %q", tok, got, err, "prefix"+want)
		}
	}
}
