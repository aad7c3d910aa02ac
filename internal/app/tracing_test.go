package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

func TestTracingFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    tracingConfig
		wantErr error
	}{
		{name: "nothing set: off", want: tracingConfig{serviceName: "sluice"}},
		{name: "otlp exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "endpoint alone", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "traces endpoint alone", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4317"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "exporter none beats an endpoint",
			env:  map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"},
			want: tracingConfig{serviceName: "sluice"}},
		{name: "exporter list", env: map[string]string{"OTEL_TRACES_EXPORTER": "none, otlp"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "sdk disabled", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"},
			want: tracingConfig{serviceName: "sluice"}},
		{name: "service name", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "edge-eu"},
			want: tracingConfig{on: true, serviceName: "edge-eu"}},
		{name: "grpc protocol", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "traces protocol wins", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp",
			"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
			want: tracingConfig{on: true, serviceName: "sluice"}},
		{name: "http protocol", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
			wantErr: errTracingEnv},
		{name: "unknown exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: errTracingEnv},
		{name: "http protocol while off", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
			want: tracingConfig{serviceName: "sluice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tracingFromEnv(func(k string) string { return tt.env[k] })
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(tracingConfig{})); diff != "" {
				t.Errorf("tracingFromEnv (-want +got):\n%s", diff)
			}
		})
	}
}

// collector is a fake OTLP trace collector: it records, per exported
// span, its resource's service.name and its name.
type collector struct {
	collectorpb.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans [][2]string
}

func (c *collector) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, [2]string{service, s.GetName()})
			}
		}
	}
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

func (c *collector) got() [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][2]string(nil), c.spans...)
}

// startCollector serves a fake collector on loopback until the test
// ends, and returns it with its endpoint URL.
func startCollector(t *testing.T) (*collector, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	s := grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(s, c)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	return c, "http://" + ln.Addr().String()
}

// TestTracingExportsAtShutdown turns tracing on through the variables,
// records one span and stops: the span must reach the collector, flushed
// by the stop, under the service name and sampler the variables give.
func TestTracingExportsAtShutdown(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want [][2]string
	}{
		{name: "default service name", want: [][2]string{{"sluice", "work"}}},
		{name: "named service", env: map[string]string{"OTEL_SERVICE_NAME": "edge-eu"}, want: [][2]string{{"edge-eu", "work"}}},
		{name: "sampler off", env: map[string]string{"OTEL_TRACES_SAMPLER": "always_off"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, endpoint := startCollector(t)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
			for _, k := range []string{"OTEL_TRACES_EXPORTER", "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_SDK_DISABLED", "OTEL_RESOURCE_ATTRIBUTES"} {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := tracingFromEnv(os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			tp, stop, err := startTracing(t.Context(), cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			_, span := tp.Tracer("test").Start(t.Context(), "work")
			span.End()
			stop()
			if diff := cmp.Diff(tt.want, c.got(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("exported spans (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTracingOffByDefault checks that serve gets no provider when no
// variable asks for one.
func TestTracingOffByDefault(t *testing.T) {
	tp, stop, err := startTracing(t.Context(), tracingConfig{serviceName: "sluice"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if tp != nil {
		t.Errorf("provider = %v, want nil", tp)
	}
}
