package gateway_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// BenchmarkInfer1MiBFP32 sends one 1 MiB FP32 input (1 × 262144) to sum
// through the gateway's HTTP handler and a worker on loopback, as JSON
// and as binary tensor data, in the same run. Beside ns/op and
// allocs/op (the whole process: gateway, router, worker) it reports
// cpu-ns/op, the process's user and system CPU time per request.
//
//	go test -run '^$' -bench Infer1MiBFP32 -benchtime 200x ./gateway/
func BenchmarkInfer1MiBFP32(b *testing.B) {
	const n = 1 << 18
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i%1000) / 7
	}
	req := &oip.InferenceRequest{Inputs: []oip.Tensor{oip.NewFP32("x", []int64{1, n}, vals)}}
	jsonBody, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	header, data, err := oip.EncodeBinaryRequest(req, func(string) bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	binBody := append(header, bytes.Join(data, nil)...)
	bf := startBenchFleet(b)
	h := bf.gw.HTTPHandler()
	for _, tc := range []struct {
		name   string
		body   []byte
		header string
	}{{"json", jsonBody, ""}, {"binary", binBody, strconv.Itoa(len(header))}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			start := cpuTime()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/v2/models/sum/infer", bytes.NewReader(tc.body))
				r.Header.Set("x-api-key", benchKey)
				if tc.header != "" {
					r.Header.Set(oip.HeaderInferenceLength, tc.header)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body.Bytes())
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
