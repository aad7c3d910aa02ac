package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/gateway"
)

// samples gathers reg into "name{label=value,...}" → value, labels in
// their sorted order; a histogram gives its sample count as name_count.
func samples(t *testing.T, reg prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := "{" + strings.Join(labels, ",") + "}"
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				out[mf.GetName()+key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[mf.GetName()+key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[mf.GetName()+"_count"+key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// TestMetrics sends known calls through both front ends and reads them
// back from the registry.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := gateway.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, nil, func(c *fleetConfig) { c.gateway.Metrics = m })
	ctx := context.Background()
	body := []byte(sumJSON) // two rows
	for range 3 {
		if r := f.post(ctx, "sum", body, "x-api-key", keyNormal); r.status != http.StatusOK {
			t.Fatalf("sum: status %d: %s", r.status, r.body)
		}
	}
	if _, _, err := f.inferGRPC(ctx, "sum", "x-api-key", keyHigh); err != nil {
		t.Fatalf("gRPC sum: %v", err)
	}
	calls := []struct {
		model   string
		headers []string
		want    int
	}{
		{"sum", nil, http.StatusUnauthorized},
		{"idle", []string{"x-api-key", keySum}, http.StatusForbidden},
		{"nope", []string{"x-api-key", keyNormal}, http.StatusNotFound},
		{"dead", []string{"x-api-key", keyNormal}, http.StatusServiceUnavailable},
	}
	for _, c := range calls {
		if r := f.post(ctx, c.model, body, c.headers...); r.status != c.want {
			t.Fatalf("%s: status %d, want %d: %s", c.model, r.status, c.want, r.body)
		}
	}
	f.admission.SetShed(batcher.ShedLow)
	if r := f.post(ctx, "sum", body, "x-api-key", keyLow); r.status != http.StatusServiceUnavailable {
		t.Fatalf("shed: status %d: %s", r.status, r.body)
	}

	want := map[string]float64{
		"sluice_requests_total{code=200,model=sum,pool=pool,priority=normal}":     3,
		"sluice_requests_total{code=200,model=sum,pool=pool,priority=high}":       1,
		"sluice_requests_total{code=401,model=sum,pool=none,priority=none}":       1,
		"sluice_requests_total{code=403,model=idle,pool=none,priority=none}":      1,
		"sluice_requests_total{code=404,model=unknown,pool=none,priority=normal}": 1,
		"sluice_requests_total{code=503,model=dead,pool=none,priority=normal}":    1,
		"sluice_requests_total{code=503,model=sum,pool=none,priority=low}":        1,
		"sluice_inferences_total{model=sum,pool=pool}":                            8,
		"sluice_request_duration_seconds_count{model=sum,pool=pool}":              4,
		"sluice_request_duration_seconds_count{model=unknown,pool=none}":          1,
		"sluice_request_duration_seconds_count{model=dead,pool=none}":             1,
		"sluice_rejections_total{reason=auth}":                                    2,
		"sluice_rejections_total{reason=unknown_model}":                           1,
		"sluice_rejections_total{reason=no_capacity}":                             1,
		"sluice_rejections_total{reason=shed}":                                    1,
		"sluice_requests_in_flight{}":                                             0,
		"sluice_request_body_bytes_in_flight{}":                                   0,
	}
	got := samples(t, reg)
	for k, v := range got {
		if strings.HasPrefix(k, "sluice_rejections_total") && v == 0 {
			delete(got, k) // reasons that did not happen
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

// TestLatencyHistogramIsNative checks that the latency histogram has its
// classic buckets and native ones beside them.
func TestLatencyHistogramIsNative(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := gateway.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f := startAuthFleet(t, nil, func(c *fleetConfig) { c.gateway.Metrics = m })
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "sluice_request_duration_seconds" {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		if len(h.GetBucket()) != len(gateway.LatencyBuckets) || h.Schema == nil || h.GetZeroThreshold() <= 0 {
			t.Errorf("histogram has %d classic buckets (want %d), native schema %v, zero threshold %v",
				len(h.GetBucket()), len(gateway.LatencyBuckets), h.Schema, h.GetZeroThreshold())
		}
		return
	}
	t.Error("no sluice_request_duration_seconds gathered")
}

// TestMetricsStartAtZero checks that the rejection reasons exist before
// the first call, so that their rates are defined.
func TestMetricsStartAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := gateway.NewMetrics(reg); err != nil {
		t.Fatal(err)
	}
	got := samples(t, reg)
	for _, reason := range []string{"auth", "rate_limit", "shed", "queue_full", "queue_timeout", "deadline", "backend"} {
		if v, ok := got["sluice_rejections_total{reason="+reason+"}"]; !ok || v != 0 {
			t.Errorf("rejections for %s: %v (present %v), want 0", reason, v, ok)
		}
	}
	if v, ok := got["sluice_requests_in_flight{}"]; !ok || v != 0 {
		t.Errorf("in flight: %v (present %v), want 0", v, ok)
	}
}

// TestMetricsNil checks that a gateway without metrics serves calls.
func TestMetricsNil(t *testing.T) {
	f := startAuthFleet(t, nil)
	if r := f.post(context.Background(), "sum", []byte(sumJSON), "x-api-key", keyNormal); r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
}

// TestNewMetricsTwice checks that a registry refuses a second set.
func TestNewMetricsTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := gateway.NewMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.NewMetrics(reg); err == nil || !strings.HasPrefix(err.Error(), "gateway: metrics: ") {
		t.Errorf("second NewMetrics: error %v, want one prefixed %q", err, "gateway: metrics: ")
	}
}
