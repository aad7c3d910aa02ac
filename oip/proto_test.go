package oip

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	pb "github.com/sluice-gateway/sluice/oip/inferencepb"
)

// viaWire marshals m and unmarshals it into a fresh message, as a network
// hop would.
func viaWire[M proto.Message](t *testing.T, m M, fresh M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	if err := proto.Unmarshal(b, fresh); err != nil {
		t.Fatalf("proto.Unmarshal: %v", err)
	}
	return fresh
}

func TestProtoRoundTripRaw(t *testing.T) {
	params := Parameters{"b": true, "i": int64(-4), "s": "x", "d": 0.5, "u": uint64(math.MaxUint64)}
	req := &InferenceRequest{ID: "p1", Parameters: params, Outputs: []RequestedOutput{{Name: "y", Parameters: Parameters{"binary_data": true}}}}
	resp := &InferenceResponse{ModelName: "m", ModelVersion: "2", ID: "p1", Parameters: params}
	for i, dt := range allDatatypes {
		tensor := sample(string(dt), dt, 2, i)
		tensor.Parameters = Parameters{"k": string(dt)}
		req.Inputs = append(req.Inputs, tensor)
		resp.Outputs = append(resp.Outputs, tensor)
	}

	m := viaWire(t, RequestToProto("m", "2", req), &pb.ModelInferRequest{})
	if m.GetModelName() != "m" || m.GetModelVersion() != "2" || len(m.GetRawInputContents()) != len(allDatatypes) {
		t.Fatalf("RequestToProto: model %q version %q, %d raw contents", m.GetModelName(), m.GetModelVersion(), len(m.GetRawInputContents()))
	}
	gotReq, err := RequestFromProto(m)
	if err != nil {
		t.Fatalf("RequestFromProto: %v", err)
	}
	diffRequest(t, req, gotReq)

	gotResp, err := ResponseFromProto(viaWire(t, ResponseToProto(resp), &pb.ModelInferResponse{}))
	if err != nil {
		t.Fatalf("ResponseFromProto: %v", err)
	}
	diffResponse(t, resp, gotResp)
}

func TestBytesRawLayout(t *testing.T) {
	m := RequestToProto("m", "", &InferenceRequest{Inputs: []Tensor{NewStrings("s", shape(3), "ab", "", "c")}})
	want := []byte{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 1, 0, 0, 0, 'c'}
	if d := cmp.Diff(want, m.GetRawInputContents()[0]); d != "" {
		t.Errorf("raw BYTES contents (-want +got):\n%s", d)
	}
}

func TestRequestFromProtoTypedContents(t *testing.T) {
	tests := []struct {
		dt       Datatype
		contents *pb.InferTensorContents
		want     Tensor
	}{
		{Bool, &pb.InferTensorContents{BoolContents: []bool{true, false}}, NewBool("x", shape(2), []bool{true, false})},
		{Int8, &pb.InferTensorContents{IntContents: []int32{-128, 127}}, raw("x", Int8, shape(2), le(1, -128, 127))},
		{Int16, &pb.InferTensorContents{IntContents: []int32{-32768, 5}}, raw("x", Int16, shape(2), le(2, -32768, 5))},
		{Int32, &pb.InferTensorContents{IntContents: []int32{math.MinInt32, 1}}, NewInt32("x", shape(2), []int32{math.MinInt32, 1})},
		{Int64, &pb.InferTensorContents{Int64Contents: []int64{math.MinInt64, 2}}, NewInt64("x", shape(2), []int64{math.MinInt64, 2})},
		{Uint8, &pb.InferTensorContents{UintContents: []uint32{0, 255}}, raw("x", Uint8, shape(2), le(1, 0, 255))},
		{Uint16, &pb.InferTensorContents{UintContents: []uint32{1, 65535}}, raw("x", Uint16, shape(2), le(2, 1, 65535))},
		{Uint32, &pb.InferTensorContents{UintContents: []uint32{1, math.MaxUint32}}, raw("x", Uint32, shape(2), le(4, 1, math.MaxUint32))},
		{Uint64, &pb.InferTensorContents{Uint64Contents: []uint64{1, math.MaxUint64}}, raw("x", Uint64, shape(2), le(8, 1, -1))},
		{FP32, &pb.InferTensorContents{Fp32Contents: []float32{0.5, -1}}, NewFP32("x", shape(2), []float32{0.5, -1})},
		{FP64, &pb.InferTensorContents{Fp64Contents: []float64{0.1, 2}}, NewFP64("x", shape(2), []float64{0.1, 2})},
		{Bytes, &pb.InferTensorContents{BytesContents: [][]byte{[]byte("a"), {}}}, NewStrings("x", shape(2), "a", "")},
	}
	for _, tt := range tests {
		t.Run(string(tt.dt), func(t *testing.T) {
			m := &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{
				{Name: "x", Datatype: string(tt.dt), Shape: []int64{2}, Contents: tt.contents},
			}}
			got, err := RequestFromProto(viaWire(t, m, &pb.ModelInferRequest{}))
			if err != nil {
				t.Fatalf("RequestFromProto: %v", err)
			}
			diffRequest(t, &InferenceRequest{Inputs: []Tensor{tt.want}}, got)
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestResponseFromProtoTypedContents(t *testing.T) {
	m := &pb.ModelInferResponse{ModelName: "m", Outputs: []*pb.ModelInferResponse_InferOutputTensor{
		{Name: "y", Datatype: "FP32", Shape: []int64{1, 2}, Contents: &pb.InferTensorContents{Fp32Contents: []float32{1, 2}}},
	}}
	got, err := ResponseFromProto(m)
	if err != nil {
		t.Fatalf("ResponseFromProto: %v", err)
	}
	diffResponse(t, &InferenceResponse{ModelName: "m", Outputs: []Tensor{NewFP32("y", shape(1, 2), []float32{1, 2})}}, got)
}

func TestFromProtoErrors(t *testing.T) {
	input := func(dt string, c *pb.InferTensorContents) *pb.ModelInferRequest_InferInputTensor {
		return &pb.ModelInferRequest_InferInputTensor{Name: "x", Datatype: dt, Shape: []int64{1}, Contents: c}
	}
	tests := []struct {
		name string
		m    *pb.ModelInferRequest
		want string
	}{
		{"nil", nil, "oip: nil ModelInferRequest"},
		{"unknown datatype", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("F", nil)}},
			`oip: input "x": unknown datatype "F"`},
		{"raw count", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("FP32", nil)}, RawInputContents: [][]byte{{}, {}}},
			"oip: request has 1 inputs but 2 raw_input_contents"},
		{"raw and contents", &pb.ModelInferRequest{
			Inputs:           []*pb.ModelInferRequest_InferInputTensor{input("FP32", &pb.InferTensorContents{Fp32Contents: []float32{1}})},
			RawInputContents: [][]byte{{0, 0, 0, 0}},
		}, `oip: input "x": both contents and raw contents are set`},
		{"INT8 out of range", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("INT8", &pb.InferTensorContents{IntContents: []int32{1, 200}})}},
			`oip: input "x": element 1: 200 out of range for INT8`},
		{"UINT16 out of range", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("UINT16", &pb.InferTensorContents{UintContents: []uint32{70000}})}},
			`oip: input "x": element 0: 70000 out of range for UINT16`},
		{"FP16 typed", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("FP16", &pb.InferTensorContents{Fp32Contents: []float32{1}})}},
			`oip: input "x": FP16 has no typed contents; send raw contents`},
		{"truncated BYTES length", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("BYTES", nil)}, RawInputContents: [][]byte{{1, 0, 0, 0, 'a', 2, 0}}},
			`oip: input "x": raw BYTES element 1: 2 bytes left, too few for a length`},
		{"BYTES length past end", &pb.ModelInferRequest{Inputs: []*pb.ModelInferRequest_InferInputTensor{input("BYTES", nil)}, RawInputContents: [][]byte{{9, 0, 0, 0, 'a'}}},
			`oip: input "x": raw BYTES element 0: length 9 exceeds the 1 bytes left`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RequestFromProto(tt.m)
			checkErr(t, err, ErrInvalid, tt.want)
		})
	}
	_, err := ResponseFromProto(&pb.ModelInferResponse{RawOutputContents: [][]byte{{}}})
	checkErr(t, err, ErrInvalid, "oip: response has 0 outputs but 1 raw_output_contents")
}

func TestParamsToProto(t *testing.T) {
	got := paramsToProto(Parameters{"b": true, "i": 3, "i32": int32(-2), "u": uint32(7), "f": float32(0.5), "s": "v", "other": []int{1}})
	want := map[string]*pb.InferParameter{
		"b":     {ParameterChoice: &pb.InferParameter_BoolParam{BoolParam: true}},
		"i":     {ParameterChoice: &pb.InferParameter_Int64Param{Int64Param: 3}},
		"i32":   {ParameterChoice: &pb.InferParameter_Int64Param{Int64Param: -2}},
		"u":     {ParameterChoice: &pb.InferParameter_Uint64Param{Uint64Param: 7}},
		"f":     {ParameterChoice: &pb.InferParameter_DoubleParam{DoubleParam: 0.5}},
		"s":     {ParameterChoice: &pb.InferParameter_StringParam{StringParam: "v"}},
		"other": {ParameterChoice: &pb.InferParameter_StringParam{StringParam: "[1]"}},
	}
	if d := cmp.Diff(want, got, protocmp.Transform()); d != "" {
		t.Errorf("paramsToProto (-want +got):\n%s", d)
	}
	if p := paramsFromProto(map[string]*pb.InferParameter{"unset": {}}); len(p) != 0 {
		t.Errorf("unset parameter kept: %v", p)
	}
}
