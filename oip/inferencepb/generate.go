// Package inferencepb holds the generated protobuf and gRPC code for the
// Open Inference Protocol v2 service inference.GRPCInferenceService, from
// grpc_service.proto. Do not edit the .pb.go files; regenerate them from the
// module root with
//
//	protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) \
//	  --plugin=protoc-gen-go-grpc=$(go tool -n protoc-gen-go-grpc) \
//	  --go_out=. --go_opt=paths=source_relative \
//	  --go-grpc_out=. --go-grpc_opt=paths=source_relative \
//	  oip/inferencepb/grpc_service.proto
//
// or with go generate in this directory.
package inferencepb

//go:generate sh -c "cd ../.. && protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) --plugin=protoc-gen-go-grpc=$(go tool -n protoc-gen-go-grpc) --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative oip/inferencepb/grpc_service.proto"
