package oip

import (
	"context"
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/sluice-gateway/sluice/oip/inferencepb"
)

// echoServer answers ModelInfer with its inputs as outputs.
type echoServer struct {
	pb.UnimplementedGRPCInferenceServiceServer
}

func (echoServer) ModelInfer(_ context.Context, m *pb.ModelInferRequest) (*pb.ModelInferResponse, error) {
	req, err := RequestFromProto(m)
	if err == nil {
		err = req.Validate()
	}
	if errors.Is(err, ErrInvalid) {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return ResponseToProto(&InferenceResponse{ModelName: m.GetModelName(), ID: req.ID, Outputs: req.Inputs}), nil
}

// TestGRPCLoopback runs the generated service over a real loopback
// connection with the conversions at both ends.
func TestGRPCLoopback(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pb.RegisterGRPCInferenceServiceServer(srv, echoServer{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := pb.NewGRPCInferenceServiceClient(conn)

	req := &InferenceRequest{ID: "g", Inputs: []Tensor{
		NewFP32("x", shape(1, 2), []float32{1, 2}), NewStrings("s", shape(1), "hi"), sample("h", BF16, 1, 0),
	}}
	m, err := client.ModelInfer(t.Context(), RequestToProto("echo", "", req))
	if err != nil {
		t.Fatalf("ModelInfer: %v", err)
	}
	got, err := ResponseFromProto(m)
	if err != nil {
		t.Fatalf("ResponseFromProto: %v", err)
	}
	diffResponse(t, &InferenceResponse{ModelName: "echo", ID: "g", Outputs: req.Inputs}, got)

	bad := &InferenceRequest{Inputs: []Tensor{NewFP32("x", shape(3), []float32{1})}}
	_, err = client.ModelInfer(t.Context(), RequestToProto("echo", "", bad))
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("ModelInfer(bad) = %v, want InvalidArgument", err)
	}
	if _, err := client.ServerLive(t.Context(), &pb.ServerLiveRequest{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("ServerLive = %v, want Unimplemented", err)
	}
}
