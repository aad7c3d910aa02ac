package oip

import "github.com/sluice-gateway/sluice/oip/inferencepb"

// MetadataToProto converts model metadata to its gRPC form.
func MetadataToProto(md *ModelMetadata) *inferencepb.ModelMetadataResponse {
	return &inferencepb.ModelMetadataResponse{
		Name:     md.Name,
		Versions: md.Versions,
		Platform: md.Platform,
		Inputs:   tensorMetadataToProto(md.Inputs),
		Outputs:  tensorMetadataToProto(md.Outputs),
	}
}

// MetadataFromProto converts model metadata from its gRPC form.
func MetadataFromProto(m *inferencepb.ModelMetadataResponse) *ModelMetadata {
	return &ModelMetadata{
		Name:     m.GetName(),
		Versions: m.GetVersions(),
		Platform: m.GetPlatform(),
		Inputs:   tensorMetadataFromProto(m.GetInputs()),
		Outputs:  tensorMetadataFromProto(m.GetOutputs()),
	}
}

func tensorMetadataToProto(ts []TensorMetadata) []*inferencepb.ModelMetadataResponse_TensorMetadata {
	out := make([]*inferencepb.ModelMetadataResponse_TensorMetadata, len(ts))
	for i, t := range ts {
		out[i] = &inferencepb.ModelMetadataResponse_TensorMetadata{Name: t.Name, Datatype: t.Datatype, Shape: t.Shape}
	}
	return out
}

func tensorMetadataFromProto(ts []*inferencepb.ModelMetadataResponse_TensorMetadata) []TensorMetadata {
	out := make([]TensorMetadata, len(ts))
	for i, t := range ts {
		out[i] = TensorMetadata{Name: t.GetName(), Datatype: t.GetDatatype(), Shape: t.GetShape()}
	}
	return out
}
