// Package oip implements the Open Inference Protocol v2 (the KServe and
// Triton protocol): request, response and tensor types, the JSON codec for
// every datatype, validation, conversion to and from the gRPC messages of
// inference.GRPCInferenceService (generated code in package inferencepb), and
// concatenating and splitting tensors along dimension 0 for batching.
//
// A Tensor keeps its elements in one canonical form whatever the wire form
// was: little-endian row-major bytes for fixed-size datatypes, one byte slice
// per element for BYTES. JSON, gRPC typed contents and gRPC raw contents all
// decode to and encode from that form, so batching never looks at the wire.
//
// The package imports nothing else of Sluice's; every layer shares it.
package oip
