package system

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
)

func TestSumRequest(t *testing.T) {
	body, err := sumRequest(1, 4)
	if err != nil {
		t.Fatal(err)
	}
	req, err := oip.DecodeRequest(body)
	if err != nil {
		t.Fatalf("the body does not decode: %v\n%s", err, body)
	}
	want := oip.NewFP32("x", []int64{1, 4}, []float32{1, 2, 3, 4})
	if diff := cmp.Diff([]oip.Tensor{want}, req.Inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
}
