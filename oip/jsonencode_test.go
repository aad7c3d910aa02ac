package oip

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func TestMarshalRequestGolden(t *testing.T) {
	req := &InferenceRequest{
		ID:         "r1",
		Parameters: Parameters{"b": true, "a": int64(1), "f": 0.25, "u": uint64(math.MaxUint64), "s": "x"},
		Inputs: []Tensor{
			NewFP32("x", shape(2), []float32{1.5, 1e-7}),
			NewStrings("s", shape(1), "a\"\n<"),
			NewBool("b", shape(), []bool{true}),
			raw("h", FP16, shape(1), le16(0x3555)),
		},
		Outputs: []RequestedOutput{{Name: "y"}, {Name: "z", Parameters: Parameters{"binary_data": false}}},
	}
	want := `{"id":"r1","parameters":{"a":1,"b":true,"f":0.25,"s":"x","u":18446744073709551615},` +
		`"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1.5,1e-7]},` +
		`{"name":"s","datatype":"BYTES","shape":[1],"data":["a\"\n<"]},` +
		`{"name":"b","datatype":"BOOL","shape":[],"data":[true]},` +
		`{"name":"h","datatype":"FP16","shape":[1],"data":[0.33325195]}],` +
		`"outputs":[{"name":"y"},{"name":"z","parameters":{"binary_data":false}}]}`
	got, err := req.MarshalJSON() // json.Marshal would also escape "<" for HTML
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if string(got) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestMarshalResponseGolden(t *testing.T) {
	resp := &InferenceResponse{ModelName: "m", Outputs: []Tensor{NewInt64("y", shape(1, 2), []int64{-1, 1 << 40})}}
	want := `{"model_name":"m","outputs":[{"name":"y","datatype":"INT64","shape":[1,2],"data":[-1,1099511627776]}]}`
	got, err := resp.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if string(got) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	req := &InferenceRequest{ID: "rt", Parameters: Parameters{"n": int64(-3), "big": uint64(1 << 63), "pi": math.Pi}}
	resp := &InferenceResponse{ModelName: "m", ModelVersion: "7", ID: "rt", Parameters: Parameters{"ok": true}}
	for i, dt := range allDatatypes {
		tensor := sample(string(dt), dt, 3, i)
		tensor.Parameters = Parameters{"i": int64(i)}
		req.Inputs = append(req.Inputs, tensor)
		resp.Outputs = append(resp.Outputs, tensor)
		req.Outputs = append(req.Outputs, RequestedOutput{Name: string(dt)})
	}
	enc, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("Marshal request: %v", err)
	}
	gotReq, err := DecodeRequest(enc)
	if err != nil {
		t.Fatalf("DecodeRequest: %v", err)
	}
	diffRequest(t, req, gotReq)

	enc, err = json.Marshal(resp)
	if err != nil {
		t.Fatalf("Marshal response: %v", err)
	}
	gotResp, err := DecodeResponse(enc)
	if err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	diffResponse(t, resp, gotResp)
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name     string
		req      *InferenceRequest
		sentinel error
		want     string
	}{
		{"NaN FP32", &InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(2), []float32{1, float32(math.NaN())})}},
			ErrUnrepresentable, `oip: input "x": element 1: NaN is not representable in JSON`},
		{"infinite FP16", &InferenceRequest{Inputs: []Tensor{raw("h", FP16, shape(1), le16(0xfc00))}},
			ErrUnrepresentable, `oip: input "h": element 0: -Inf is not representable in JSON`},
		{"NaN parameter", &InferenceRequest{Parameters: Parameters{"p": math.NaN()}},
			ErrUnrepresentable, `oip: parameter "p": NaN is not representable in JSON`},
		{"ragged raw", &InferenceRequest{Inputs: []Tensor{raw("x", Int32, shape(1), []byte{1, 2})}},
			ErrInvalid, `oip: input "x": raw data has 2 bytes, not a multiple of 4`},
		{"unknown datatype", &InferenceRequest{Inputs: []Tensor{{Name: "x", Datatype: "F"}}},
			ErrInvalid, `oip: input "x": unknown datatype "F"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.req.MarshalJSON()
			checkErr(t, err, tt.sentinel, tt.want)
		})
	}
}

// TestAppendQuotedMatchesEncodingJSON compares string escaping with
// encoding/json's (HTML escaping off) on tricky and random byte strings.
func TestAppendQuotedMatchesEncodingJSON(t *testing.T) {
	inputs := []string{"", "plain", "q\"b\\s/", "\x00\x01\b\f\n\r\t\x1f\x7f", "é€😀", "\u2028\u2029", "bad\xffutf8\xc3", "\xed\xa0\x80"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			t.Fatal(err)
		}
		if got := appendQuoted(nil, []byte(in)); string(got)+"\n" != want.String() {
			t.Fatalf("appendQuoted(%q) = %s, want %s", in, got, want.String())
		}
	}
}

func TestFloatFormatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, -0.0, 1, 0.1, 1e-6, 9.99e-7, 1e20, 1e21, 123456789, 1e-300, -2.5e300} {
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f, 64); string(got) != string(want) {
			t.Errorf("appendFloat(%v, 64) = %s, want %s", f, got, want)
		}
		if math.IsInf(float64(float32(f)), 0) {
			continue
		}
		want32, _ := json.Marshal(float32(f))
		if got := appendFloat(nil, float64(float32(f)), 32); string(got) != string(want32) {
			t.Errorf("appendFloat(%v, 32) = %s, want %s", f, got, want32)
		}
	}
}
