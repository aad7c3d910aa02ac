package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-gateway/sluice/oip"
)

// QuickstartSum is the README's call of the sum model: two rows, whose
// sums are 6 and 15.
const QuickstartSum = `{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}`

// CheckSumHTTP posts QuickstartSum to the gateway's HTTP listener at addr
// (host:port) and fails t unless the answer is 200 with the sums 6 and 15.
func CheckSumHTTP(t testing.TB, addr string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/v2/models/sum/infer", "application/json", strings.NewReader(QuickstartSum))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP status %d, body %s: %v", resp.StatusCode, body, err)
	}
	out, err := oip.DecodeResponse(body)
	if err == nil {
		err = CheckQuickstartAnswer(out)
	}
	if err != nil {
		t.Fatalf("HTTP: %v", err)
	}
}

// CheckQuickstartAnswer returns an error unless out answers QuickstartSum:
// one output, "sum", holding 6 and 15.
func CheckQuickstartAnswer(out *oip.InferenceResponse) error {
	return checkSums(out, []float32{6, 15})
}

// SumRequest is a JSON call of the sum model with id and rows rows of 4
// elements, row i holding i+1 four times, so that the sum of row i is
// 4(i+1) (see CheckSumAnswer).
func SumRequest(id string, rows int) []byte {
	data := make([]float32, 0, rows*4)
	for i := range rows {
		for range 4 {
			data = append(data, float32(i+1))
		}
	}
	b, _ := json.Marshal(map[string]any{
		"id":     id,
		"inputs": []map[string]any{{"name": "x", "datatype": "FP32", "shape": []int{rows, 4}, "data": data}},
	})
	return b
}

// CheckSumAnswer returns an error unless body answers SumRequest(id,
// rows): the same id and each row's sum.
func CheckSumAnswer(body []byte, id string, rows int) error {
	out, err := oip.DecodeResponse(body)
	if err != nil {
		return err
	}
	if out.ID != id {
		return fmt.Errorf("answer of %q carries the id %q", id, out.ID)
	}
	want := make([]float32, rows)
	for i := range want {
		want[i] = float32(4 * (i + 1))
	}
	return checkSums(out, want)
}

// checkSums returns an error unless out's one output, "sum", holds want.
func checkSums(out *oip.InferenceResponse, want []float32) error {
	if len(out.Outputs) != 1 || out.Outputs[0].Name != "sum" {
		return fmt.Errorf("outputs %+v, want one named sum", out.Outputs)
	}
	got, err := out.Outputs[0].Float32s()
	if err != nil {
		return err
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("sums %v, want %v", got, want)
	}
	return nil
}
