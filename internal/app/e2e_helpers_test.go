package app

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/oip"
)

// benchConfig is the bench fleet, the configuration the shipped manifests
// and dashboards describe.
const benchConfig = "../../configs/bench.yaml"

// quickstartSum is a request for sum of two rows, whose sums are 6 and 15.
const quickstartSum = `{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}`

// checkSumHTTP sends quickstartSum to the gateway at addr and checks the
// answer.
func checkSumHTTP(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/v2/models/sum/infer", "application/json", strings.NewReader(quickstartSum))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	out, err := oip.DecodeResponse(body.Bytes())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP status %d, body %s: %v", resp.StatusCode, body.Bytes(), err)
	}
	if len(out.Outputs) != 1 || out.Outputs[0].Name != "sum" {
		t.Fatalf("outputs %+v, want one named sum", out.Outputs)
	}
	got, err := out.Outputs[0].Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{6, 15}, got); diff != "" {
		t.Errorf("sums (-want +got):\n%s", diff)
	}
}

// dump reads GET /admin/xds on addr, empty while nothing is published
// yet.
func dump(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + XDSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	switch {
	case resp.StatusCode == http.StatusOK:
		return body.String()
	case strings.Contains(body.String(), "no snapshot published yet"):
		return ""
	}
	t.Fatalf("GET %s: %d %s", XDSPath, resp.StatusCode, body.String())
	return ""
}
