package oip

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// frame builds a binary-extension body: header, then the parts.
func frame(header string, parts ...[]byte) ([]byte, int64) {
	body := []byte(header)
	for _, p := range parts {
		body = append(body, p...)
	}
	return body, int64(len(header))
}

// lenPrefixed packs BYTES elements as the binary extension does.
func lenPrefixed(elems ...string) []byte {
	var b []byte
	for _, e := range elems {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b
}

func TestDecodeBinaryRequestEveryDatatype(t *testing.T) {
	tests := []struct {
		dt   Datatype
		data []byte
		want Tensor
	}{
		{Bool, []byte{1, 0}, raw("x", Bool, shape(2), []byte{1, 0})},
		{Uint8, le(1, 1, 255), raw("x", Uint8, shape(2), le(1, 1, 255))},
		{Uint16, le(2, 1, 65535), raw("x", Uint16, shape(2), le(2, 1, 65535))},
		{Uint32, le(4, 1, 7), raw("x", Uint32, shape(2), le(4, 1, 7))},
		{Uint64, le(8, 1, 7), raw("x", Uint64, shape(2), le(8, 1, 7))},
		{Int8, le(1, -1, 5), raw("x", Int8, shape(2), le(1, -1, 5))},
		{Int16, le(2, -1, 5), raw("x", Int16, shape(2), le(2, -1, 5))},
		{Int32, le(4, -1, 5), raw("x", Int32, shape(2), le(4, -1, 5))},
		{Int64, le(8, -1, 5), raw("x", Int64, shape(2), le(8, -1, 5))},
		{FP16, le16(0x3c00, 0xc000), raw("x", FP16, shape(2), le16(0x3c00, 0xc000))},
		{BF16, le16(0x3f80, 0x7fc0), raw("x", BF16, shape(2), le16(0x3f80, 0x7fc0))},
		{FP32, le(4, 0x3f800000, 0x7fc00000), raw("x", FP32, shape(2), le(4, 0x3f800000, 0x7fc00000))},
		{FP64, le(8, 0x3ff0000000000000, 0), raw("x", FP64, shape(2), le(8, 0x3ff0000000000000, 0))},
		{Bytes, lenPrefixed("ab", ""), NewStrings("x", shape(2), "ab", "")},
	}
	for _, tt := range tests {
		t.Run(string(tt.dt), func(t *testing.T) {
			header := `{"inputs":[{"name":"x","datatype":"` + string(tt.dt) + `","shape":[2],"parameters":{"binary_data_size":` +
				strconv.Itoa(len(tt.data)) + `}}]}`
			r, err := DecodeBinaryRequest(frame(header, tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Tensor{tt.want}, r.Inputs, equateEmpty); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeBinaryRequestMixed(t *testing.T) {
	header := `{"id":"7","parameters":{"priority":1},"inputs":[` +
		`{"name":"a","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8,"k":"v"}},` +
		`{"name":"b","datatype":"INT32","shape":[2],"data":[3,4]},` +
		`{"name":"c","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":7}}]}`
	r, err := DecodeBinaryRequest(frame(header, le(4, 0x3f800000, 0x40000000), lenPrefixed("abc")))
	if err != nil {
		t.Fatal(err)
	}
	want := &InferenceRequest{ID: "7", Parameters: Parameters{"priority": int64(1)}, Inputs: []Tensor{
		raw("a", FP32, shape(1, 2), le(4, 0x3f800000, 0x40000000)),
		NewInt32("b", shape(2), []int32{3, 4}),
		NewStrings("c", shape(1), "abc"),
	}}
	want.Inputs[0].Parameters = Parameters{"k": "v"}
	if diff := cmp.Diff(want, r, equateEmpty); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestDecodeBinaryRequestMalformed(t *testing.T) {
	fp32 := func(size string) string {
		return `{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":` + size + `}}]}`
	}
	tests := []struct {
		name      string
		body      string
		headerLen int64
		want      string
	}{
		{"header beyond body", `{"inputs":[]}`, 99, "Inference-Header-Content-Length 99 exceeds the body's 13 bytes"},
		{"size beyond body", fp32("8") + "\x00\x00\x00\x00", -2, `input "x": binary_data_size 8 exceeds the 4 bytes`},
		{"size not shape", fp32("4") + "\x00\x00\x00\x00", -2, `input "x": binary_data_size 4, but shape [2] of FP32 takes 8 bytes`},
		{"trailing bytes", fp32("8") + "\x00\x00\x00\x00\x00\x00\x00\x00\x01", -2, "1 bytes after the binary data"},
		{"negative size", fp32("-8"), -2, `input "x": binary_data_size -8 is not a non-negative integer`},
		{"fractional size", fp32("8.5"), -2, `input "x": binary_data_size 8.5 is not a non-negative integer`},
		{"no header", fp32("8"), -1, `input "x": binary_data_size needs the binary tensor data extension`},
		{"data and size", `{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1,2],"parameters":{"binary_data_size":8}}]}` + "\x00\x00\x00\x00\x00\x00\x00\x00", -2, `input "x": both data and binary_data_size`},
		{"bytes length past end", `{"inputs":[{"name":"s","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":5}}]}` + "\x09\x00\x00\x00a", -2, `input "s": raw BYTES element 0: length 9 exceeds`},
		{"bytes count", `{"inputs":[{"name":"s","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":5}}]}` + "\x01\x00\x00\x00a", -2, `input "s": shape [2] needs 2 elements, data has 1`},
		{"bad header json", `{"inputs":[`, -2, "decode request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headerLen := tt.headerLen
			if headerLen == -2 { // the JSON ends at the last closing brace
				headerLen = int64(strings.LastIndexByte(tt.body, '}') + 1)
			}
			_, err := DecodeBinaryRequest([]byte(tt.body), headerLen)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestTakeBinaryOutputs(t *testing.T) {
	r, err := DecodeRequest([]byte(`{"parameters":{"binary_data_output":true,"k":1},"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":[1]}],` +
		`"outputs":[{"name":"a","parameters":{"binary_data":false}},{"name":"b"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.TakeBinaryOutputs()
	if err != nil {
		t.Fatal(err)
	}
	if b.Binary("a") || !b.Binary("b") || !b.Binary("c") {
		t.Errorf("Binary a, b, c = %v %v %v, want false true true", b.Binary("a"), b.Binary("b"), b.Binary("c"))
	}
	if diff := cmp.Diff(Parameters{"k": int64(1)}, r.Parameters); diff != "" {
		t.Errorf("parameters left (-want +got):\n%s", diff)
	}
	if r.Outputs[0].Parameters != nil {
		t.Errorf("output a keeps %v", r.Outputs[0].Parameters)
	}
	r.Parameters = Parameters{ParamBinaryOutput: "yes"}
	if _, err := r.TakeBinaryOutputs(); !errors.Is(err, ErrInvalid) {
		t.Errorf("a string binary_data_output: err = %v, want ErrInvalid", err)
	}
}

func TestEncodeBinaryResponse(t *testing.T) {
	resp := &InferenceResponse{ModelName: "m", ModelVersion: "1", Outputs: []Tensor{
		raw("a", FP32, shape(2), le(4, 0x3f800000, 0x40000000)),
		NewStrings("s", shape(1), "hi"),
		NewInt32("j", shape(1), []int32{5}),
	}}
	header, data, err := EncodeBinaryResponse(resp, BinaryOutputs{All: true, Named: map[string]bool{"j": false}})
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := `{"model_name":"m","model_version":"1","outputs":[` +
		`{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}},` +
		`{"name":"s","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":6}},` +
		`{"name":"j","datatype":"INT32","shape":[1],"data":[5]}]}`
	if string(header) != wantHeader {
		t.Errorf("header\n%s\nwant\n%s", header, wantHeader)
	}
	if diff := cmp.Diff([][]byte{le(4, 0x3f800000, 0x40000000), lenPrefixed("hi")}, data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	body, n := frame(string(header), data...)
	back, err := DecodeBinaryResponse(body, n)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resp, back, equateEmpty); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if header, data, _ := EncodeBinaryResponse(resp, BinaryOutputs{}); data != nil || !strings.Contains(string(header), `"data":[1,2]`) {
		t.Errorf("no binary outputs: header %s, data %v", header, data)
	}
}

// TestEncodeBinaryHeaderSize checks that a large output sent as binary
// data does not size the JSON header as if its elements were in it: a
// 5 MB answer once held a 15 MB header buffer while it was written.
func TestEncodeBinaryHeaderSize(t *testing.T) {
	const n = 1_250_000
	resp := &InferenceResponse{ModelName: "m", Outputs: []Tensor{raw("x", FP32, shape(1, n), make([]byte, 4*n))}}
	header, _, err := EncodeBinaryResponse(resp, BinaryOutputs{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if cap(header) > 1<<10 {
		t.Errorf("header of %d bytes in a buffer of %d, want at most 1 KiB", len(header), cap(header))
	}
	req := &InferenceRequest{Inputs: resp.Outputs}
	header, _, err = EncodeBinaryRequest(req, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if cap(header) > 1<<10 {
		t.Errorf("request header of %d bytes in a buffer of %d, want at most 1 KiB", len(header), cap(header))
	}
}

func TestEncodeBinaryRequestRoundTrip(t *testing.T) {
	req := &InferenceRequest{ID: "r", Inputs: []Tensor{
		raw("h", FP16, shape(1, 2), le16(0x3c00, 0x4000)),
		NewStrings("s", shape(1, 1), "x"),
		NewFP32("f", shape(1), []float32{0.5}),
	}}
	header, data, err := EncodeBinaryRequest(req, func(name string) bool { return name != "f" })
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeBinaryRequest(frame(string(header), data...))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req, back, equateEmpty); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// FuzzDecodeBinaryRequest checks that any body and header length either
// fail with an error matching ErrInvalid or decode into a valid request
// that encodes back, every input binary, into the same request.
func FuzzDecodeBinaryRequest(f *testing.F) {
	seed := func(header string, parts ...[]byte) {
		body, n := frame(header, parts...)
		f.Add(body, n)
	}
	seed(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}]}`, le(4, 1, 2))
	seed(`{"inputs":[{"name":"s","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":9}},{"name":"j","datatype":"INT8","shape":[1],"data":[3]}]}`, lenPrefixed("a", ""))
	seed(`{"inputs":[{"name":"h","datatype":"BF16","shape":[],"parameters":{"binary_data_size":2}}]}`, le16(0x3f80), []byte{7})
	f.Add([]byte(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1]}]}`), int64(-1))
	f.Fuzz(func(t *testing.T, body []byte, headerLen int64) {
		r, err := DecodeBinaryRequest(body, headerLen)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("DecodeBinaryRequest(%q, %d) = %v, not matching ErrInvalid", body, headerLen, err)
			}
			return
		}
		header, data, err := EncodeBinaryRequest(r, func(string) bool { return true })
		if err != nil {
			t.Fatalf("a decoded request does not encode: %v", err)
		}
		back, err := DecodeBinaryRequest(frame(string(header), data...))
		if err != nil {
			t.Fatalf("re-encoded request does not decode: %v\nheader %s", err, header)
		}
		if diff := cmp.Diff(r, back, equateEmpty); diff != "" {
			t.Errorf("request changed through binary framing (-first +second):\n%s", diff)
		}
	})
}
