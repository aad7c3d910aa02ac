package xds

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// marshaler embeds messages in Any values for the builders, keeping the
// first error so that they stay free of error plumbing; Build checks err
// once every resource is built. The zero value is ready to use.
type marshaler struct {
	err error
}

// any returns msg packed in an Any, after validating it: the validation
// of the resource that holds the Any does not look inside it. On an error
// it returns nil and records the error if it is the first.
func (m *marshaler) any(msg proto.Message) *anypb.Any {
	if err := validate(msg); err != nil {
		m.fail(err)
		return nil
	}
	a, err := anypb.New(msg)
	if err != nil {
		m.fail(fmt.Errorf("xds: packing %T: %w", msg, err))
	}
	return a
}

func (m *marshaler) fail(err error) {
	if m.err == nil {
		m.err = err
	}
}

// validator is what protoc-gen-validate generates for every Envoy message.
type validator interface {
	ValidateAll() error
}

// validate runs msg's generated validation, wrapping its failure in
// ErrInvalidResource; messages without one pass.
func validate(msg proto.Message) error {
	v, ok := msg.(validator)
	if !ok {
		return nil
	}
	if err := v.ValidateAll(); err != nil {
		return fmt.Errorf("%w: %T: %w", ErrInvalidResource, msg, err)
	}
	return nil
}
