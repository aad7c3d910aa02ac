package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/router"
)

// defaultServiceName is the service.name of Sluice's spans when
// OTEL_SERVICE_NAME is unset.
const defaultServiceName = "sluice"

// tracingFlushTimeout bounds how long serve waits, when it stops, for the
// spans still buffered to be exported.
const tracingFlushTimeout = 5 * time.Second

// errTracingEnv is returned for OpenTelemetry variables serve cannot honour.
var errTracingEnv = errors.New("sluice: tracing")

// tracingConfig is what the standard OpenTelemetry variables ask of
// serve's tracing. The zero value is tracing off.
type tracingConfig struct {
	// on is set when spans are to be exported over OTLP.
	on bool
	// serviceName is the resource's service.name.
	serviceName string
}

// tracingFromEnv reads the OpenTelemetry variables through getenv.
// Tracing is on when OTEL_TRACES_EXPORTER lists "otlp", or, when that
// variable is unset, when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; OTEL_SDK_DISABLED=true turns
// it off whatever the others say. It fails, wrapping errTracingEnv, for
// an exporter other than otlp and none, and for an OTLP protocol other
// than grpc (the only one serve speaks).
func tracingFromEnv(getenv func(string) string) (tracingConfig, error) {
	cfg := tracingConfig{serviceName: defaultServiceName}
	if name := strings.TrimSpace(getenv("OTEL_SERVICE_NAME")); name != "" {
		cfg.serviceName = name
	}
	if disabled, _ := strconv.ParseBool(strings.TrimSpace(getenv("OTEL_SDK_DISABLED"))); disabled {
		return cfg, nil
	}
	var err error
	if cfg.on, err = exporterWanted(getenv); err != nil || !cfg.on {
		return cfg, err
	}
	return cfg, checkProtocol(getenv)
}

// exporterWanted reports whether the variables ask for the OTLP exporter.
func exporterWanted(getenv func(string) string) (bool, error) {
	list := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))
	if list == "" {
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	}
	otlp := false
	for e := range strings.SplitSeq(list, ",") {
		switch strings.TrimSpace(e) {
		case "otlp":
			otlp = true
		case "none", "":
		default:
			return false, fmt.Errorf("%w: OTEL_TRACES_EXPORTER=%q: only otlp and none are supported", errTracingEnv, list)
		}
	}
	return otlp, nil
}

// checkProtocol refuses an OTLP protocol other than grpc: the traces'
// own variable, else the general one.
func checkProtocol(getenv func(string) string) error {
	for _, key := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		switch p := strings.TrimSpace(getenv(key)); p {
		case "":
			continue
		case "grpc":
			return nil
		default:
			return fmt.Errorf("%w: %s=%q: only grpc is supported", errTracingEnv, key, p)
		}
	}
	return nil
}

// traceFromEnv gives rc and opts the TracerProvider the process's
// OpenTelemetry variables ask for (none by default; see tracingFromEnv
// and startTracing), and returns the function that flushes and stops it,
// which the caller must call once the router and gateway are done.
func traceFromEnv(ctx context.Context, rc *router.Config, opts *gateway.Options, log *slog.Logger) (stop func(), err error) {
	cfg, err := tracingFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	tp, stop, err := startTracing(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	rc.TracerProvider, opts.TracerProvider = tp, tp
	return stop, nil
}

// startTracing returns the TracerProvider cfg asks for and a function
// that flushes its buffered spans and stops it; nil and a function that
// does nothing when tracing is off. The OTLP exporter reads its endpoint,
// headers, TLS, compression and timeout from the OTEL_EXPORTER_OTLP_*
// variables; the SDK reads its sampler from OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG, and the resource's other attributes from
// OTEL_RESOURCE_ATTRIBUTES. Export failures are logged to log.
func startTracing(ctx context.Context, cfg tracingConfig, log *slog.Logger) (trace.TracerProvider, func(), error) {
	if !cfg.on {
		return nil, func() {}, nil
	}
	res, err := resource.Merge(resource.Default(),
		resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(cfg.serviceName)))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: resource: %w", errTracingEnv, err)
	}
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: OTLP exporter: %w", errTracingEnv, err)
	}
	// The SDK reports export failures to otel's one error handler; the
	// process has one logger for them too.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing: exporting spans failed", slog.Any("error", err))
	}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	log.Info("tracing on: exporting spans over OTLP/gRPC", slog.String("service", cfg.serviceName))
	return tp, func() { shutdownTracing(tp, log) }, nil
}

// shutdownTracing flushes tp's buffered spans, for at most
// tracingFlushTimeout, and stops it.
func shutdownTracing(tp *sdktrace.TracerProvider, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), tracingFlushTimeout)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		log.Warn("tracing: flushing spans at shutdown failed", slog.Any("error", err))
	}
}
