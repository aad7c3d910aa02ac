package app

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// benchConfig is the bench fleet, the configuration the shipped manifests
// and dashboards describe.
const benchConfig = "../../configs/bench.yaml"

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
