// Package externalscalerpb holds the generated protobuf and gRPC code for
// KEDA's external scaler service, externalscaler.ExternalScaler, from
// externalscaler.proto. Do not edit the .pb.go files; regenerate them from
// the module root with make proto, or with
//
//	protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) \
//	  --plugin=protoc-gen-go-grpc=$(go tool -n protoc-gen-go-grpc) \
//	  --go_out=. --go_opt=paths=source_relative \
//	  --go-grpc_out=. --go-grpc_opt=paths=source_relative \
//	  scaler/keda/externalscalerpb/externalscaler.proto
//
// or with go generate in this directory.
package externalscalerpb

//go:generate sh -c "cd ../../.. && protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) --plugin=protoc-gen-go-grpc=$(go tool -n protoc-gen-go-grpc) --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative scaler/keda/externalscalerpb/externalscaler.proto"
