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
// Decoding (DecodeRequest, UnmarshalJSON, RequestFromProto) checks every
// element against its datatype; Validate checks the whole: element counts
// against shapes, unique names. DecodeRequest does both. Every error a
// client can cause matches ErrInvalid (HTTP 400, gRPC InvalidArgument);
// batches that do not merge or split match ErrBatchMismatch; values JSON
// cannot carry (NaN, infinities) match ErrUnrepresentable.
//
// FP16 and BF16 elements are 16-bit patterns in Raw and plain numbers in
// JSON, converted with FP16Bits, BF16Bits, FP16Value and BF16Value (round to
// nearest, ties to even).
//
// Triton's binary tensor data extension frames an HTTP body as a JSON
// header followed by the raw data of the tensors that carry
// binary_data_size: DecodeBinaryRequest and DecodeBinaryResponse read it,
// straight into the canonical form (fixed-size data aliases the body, no
// JSON text in between), EncodeBinaryResponse and EncodeBinaryRequest
// write it, and InferenceRequest.TakeBinaryOutputs reads which outputs a
// client wants back as binary data.
//
// Conversions alias rather than copy where they can (proto raw contents,
// BYTES elements, split outputs); each function says what it shares. No
// function here keeps state: all are safe for concurrent use on values
// that nobody modifies.
//
// The package imports nothing else of Sluice's; every layer shares it.
package oip
