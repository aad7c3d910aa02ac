package router

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
)

func sumRequest(id string, vals ...float32) *oip.InferenceRequest {
	return &oip.InferenceRequest{ID: id, Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, int64(len(vals))}, vals)}}
}

func TestKeyOf(t *testing.T) {
	base := sumRequest("a", 1, 2, 3)
	twoInputs := func(first, second string) *oip.InferenceRequest {
		return &oip.InferenceRequest{Inputs: []oip.Tensor{
			oip.NewFP32(first, []int64{1}, []float32{1}),
			oip.NewFP32(second, []int64{1}, []float32{2}),
		}}
	}
	withParams := sumRequest("z", 1, 2, 3)
	withParams.Parameters = oip.Parameters{"timeout": int64(5)}
	withOutputs := sumRequest("a", 1, 2, 3)
	withOutputs.Outputs = []oip.RequestedOutput{{Name: "sum"}}
	reshaped := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{3, 1}, []float32{1, 2, 3})}}
	bytesA := &oip.InferenceRequest{Inputs: []oip.Tensor{{Name: "s", Datatype: oip.Bytes, Shape: []int64{2}, Elems: [][]byte{[]byte("ab"), []byte("c")}}}}
	bytesB := &oip.InferenceRequest{Inputs: []oip.Tensor{{Name: "s", Datatype: oip.Bytes, Shape: []int64{2}, Elems: [][]byte{[]byte("a"), []byte("bc")}}}}
	tests := []struct {
		name           string
		model, version string
		req            *oip.InferenceRequest
		same           bool
	}{
		{"ID and parameters do not count", "sum", "", withParams, true},
		{"another model", "echo", "", base, false},
		{"another version", "sum", "2", base, false},
		{"other data", "sum", "", sumRequest("a", 1, 2, 4), false},
		{"other shape", "sum", "", reshaped, false},
		{"requested outputs count", "sum", "", withOutputs, false},
	}
	want := keyOf("sum", "", base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyOf(tt.model, tt.version, tt.req) == want; got != tt.same {
				t.Errorf("same key = %v, want %v", got, tt.same)
			}
		})
	}
	if keyOf("m", "", twoInputs("a", "b")) == keyOf("m", "", twoInputs("b", "a")) {
		t.Error("swapping the data of two inputs kept the key")
	}
	swapped := twoInputs("a", "b")
	swapped.Inputs[0], swapped.Inputs[1] = swapped.Inputs[1], swapped.Inputs[0]
	if keyOf("m", "", twoInputs("a", "b")) != keyOf("m", "", swapped) {
		t.Error("listing the same inputs in another order changed the key")
	}
	if keyOf("m", "", bytesA) == keyOf("m", "", bytesB) {
		t.Error("BYTES elements split differently share a key")
	}
}

func answer(vals ...float32) *oip.InferenceResponse {
	return &oip.InferenceResponse{ModelName: "sum", ModelVersion: "1", ID: "orig",
		Outputs: []oip.Tensor{oip.NewFP32("sum", []int64{int64(len(vals))}, vals)}}
}

func TestResponseCache(t *testing.T) {
	k1, k2, k3 := cacheKey{1}, cacheKey{2}, cacheKey{3}
	entry := sizeOf(answer(1))
	t.Run("hit carries the caller's ID, not the original's", func(t *testing.T) {
		c := newResponseCache(1 << 20)
		c.put(k1, answer(6), time.Minute, t0)
		got, ok := c.get(k1, "mine", t0.Add(time.Second))
		if !ok {
			t.Fatal("miss")
		}
		want := answer(6)
		want.ID = "mine"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hit (-want +got):\n%s", diff)
		}
	})
	t.Run("stored answers are copies", func(t *testing.T) {
		c := newResponseCache(1 << 20)
		a := answer(6)
		c.put(k1, a, time.Minute, t0)
		a.Outputs[0].Raw[0] = 0xff
		got, _ := c.get(k1, "", t0)
		if got.Outputs[0].Raw[0] == 0xff {
			t.Error("the cache shares the answer's buffers")
		}
	})
	t.Run("expires after the TTL", func(t *testing.T) {
		c := newResponseCache(1 << 20)
		c.put(k1, answer(6), time.Minute, t0)
		if _, ok := c.get(k1, "", t0.Add(time.Minute)); ok {
			t.Error("hit at the TTL")
		}
		if c.bytes() != 0 {
			t.Errorf("an expired answer still counts %d bytes", c.bytes())
		}
	})
	t.Run("evicts the least recently used", func(t *testing.T) {
		c := newResponseCache(2 * entry)
		c.put(k1, answer(1), time.Minute, t0)
		c.put(k2, answer(2), time.Minute, t0)
		c.get(k1, "", t0) // k2 is now the oldest use
		c.put(k3, answer(3), time.Minute, t0)
		_, ok1 := c.get(k1, "", t0)
		_, ok2 := c.get(k2, "", t0)
		_, ok3 := c.get(k3, "", t0)
		if diff := cmp.Diff([]bool{true, false, true}, []bool{ok1, ok2, ok3}); diff != "" {
			t.Errorf("held k1, k2, k3 (-want +got):\n%s", diff)
		}
		if c.bytes() > 2*entry {
			t.Errorf("holds %d bytes, bound %d", c.bytes(), 2*entry)
		}
	})
	t.Run("an answer over the bound is not stored", func(t *testing.T) {
		c := newResponseCache(entry - 1)
		c.put(k1, answer(1), time.Minute, t0)
		if _, ok := c.get(k1, "", t0); ok {
			t.Error("stored an answer larger than the cache")
		}
	})
	t.Run("replacing keeps one entry", func(t *testing.T) {
		c := newResponseCache(1 << 20)
		c.put(k1, answer(1), time.Minute, t0)
		c.put(k1, answer(2), time.Minute, t0)
		if c.bytes() != entry {
			t.Errorf("holds %d bytes, want %d", c.bytes(), entry)
		}
	})
}
