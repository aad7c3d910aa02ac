package system

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
)

// compressed and kept classify every duration of a configuration, by its
// YAML path with slice indexes dropped, for compressTime.
var (
	compressed = []string{
		"pools[].cold_start",
		"scaler.interval", "scaler.stabilization", "scaler.panic_window",
		"scaler.spot_backoff", "scaler.queue_drain_target", "scaler.burst_memory",
	}
	kept = []string{
		// Latencies and deadlines: requests are not compressed.
		"models[].timeout", "models[].slo", "queue.critical.max_queue_time",
		"queue.high.max_queue_time", "queue.normal.max_queue_time", "queue.low.max_queue_time",
		"pools[].curve.base", "pools[].curve.per_item", "pools[].curve.points[].latency",
		"limits.read_header_timeout", "limits.idle_timeout", "limits.max_deadline",
		"limits.body_timeout", "limits.write_timeout",
		// How workers are measured, found and stopped: real processes and
		// servers, on their own clocks.
		"calibration.budget", "calibration.remeasure", "pools[].dns_interval",
		"pools[].worker.stop_timeout",
		// How gateway replicas share state: real time for Redis and files.
		"state.flush_interval", "state.redis.timeout",
		// How failed workers are noticed, not modelled by the simulator.
		"health.interval", "health.timeout", "health.eject_for", "retry.window",
		// How long a client's sequence stays pinned between its calls: the
		// benchmark's load sends no sequences and the simulator models none.
		"protocol.sequence_idle",
		// Calendar and operations.
		"models[].cache.ttl", "scaler.prewarm[].duration", "shutdown.drain_timeout",
		"shutdown.drain_delay",
	}
)

func TestCompressTimeDividesEveryTimeConstant(t *testing.T) {
	tests := []struct {
		name string
		k    float64
	}{
		{name: "ten", k: 10},
		{name: "one changes nothing", k: 1},
		{name: "two and a half", k: 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadBenchConfig(t)
			before := durations(cfg)
			if err := compressTime(cfg, tt.k); err != nil {
				t.Fatal(err)
			}
			want := map[string]time.Duration{}
			for path, d := range before {
				want[path] = d
				if isCompressed(path) {
					want[path] = time.Duration(math.Round(float64(d) / tt.k))
				}
			}
			if diff := cmp.Diff(want, durations(cfg)); diff != "" {
				t.Errorf("compressTime(%g) (-want +got):\n%s", tt.k, diff)
			}
		})
	}
}

// TestCompressTimeClassifiesEveryDuration fails when the configuration
// gains a duration compressTime has not been told about.
func TestCompressTimeClassifiesEveryDuration(t *testing.T) {
	for path := range durationPaths(reflect.TypeFor[configs.Config](), "") {
		if !isCompressed(path) && !isKept(path) {
			t.Errorf("%s is a duration compressTime neither divides nor keeps: decide which, in compressTime and in this test", path)
		}
	}
}

func TestCompressTimeRejects(t *testing.T) {
	tests := []struct {
		name string
		k    float64
		want string
	}{
		{name: "zero", k: 0, want: "positive, finite"},
		{name: "negative", k: -10, want: "positive, finite"},
		{name: "NaN", k: math.NaN(), want: "positive, finite"},
		{name: "infinite", k: math.Inf(1), want: "positive, finite"},
		{name: "so large the interval vanishes", k: 1e12, want: "scaler.interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := compressTime(loadBenchConfig(t), tt.k)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compressTime(%g) error = %v, want one mentioning %q", tt.k, err, tt.want)
			}
		})
	}
}

// loadBenchConfig loads configs/bench.yaml.
func loadBenchConfig(t *testing.T) *configs.Config {
	t.Helper()
	cfg, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func isCompressed(path string) bool { return matchesAny(compressed, path) }
func isKept(path string) bool       { return matchesAny(kept, path) }

var pathIndexes = regexp.MustCompile(`\[\d+\]`)

// matchesAny reports whether path, its indexes dropped, is in paths.
func matchesAny(paths []string, path string) bool {
	path = pathIndexes.ReplaceAllString(path, "[]")
	for _, p := range paths {
		if p == path {
			return true
		}
	}
	return false
}

var durationKind = reflect.TypeFor[time.Duration]()

// durations returns every duration in cfg by its YAML path.
func durations(cfg *configs.Config) map[string]time.Duration {
	out := map[string]time.Duration{}
	walkDurations(reflect.ValueOf(cfg).Elem(), "", out)
	return out
}

// walkDurations adds the durations in v, at path, to out.
func walkDurations(v reflect.Value, path string, out map[string]time.Duration) {
	switch {
	case v.Type() == durationKind:
		out[path] = time.Duration(v.Int())
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			walkDurations(v.Elem(), path, out)
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			walkDurations(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if name, ok := yamlName(v.Type().Field(i)); ok {
				walkDurations(v.Field(i), joinPath(path, name), out)
			}
		}
	}
}

// durationPaths returns the paths of every duration field of type t,
// indexes written as [], including those in slices and pointers that a
// loaded file may leave empty.
func durationPaths(t reflect.Type, path string) map[string]bool {
	out := map[string]bool{}
	switch {
	case t == durationKind:
		out[path] = true
	case t.Kind() == reflect.Pointer:
		return durationPaths(t.Elem(), path)
	case t.Kind() == reflect.Slice:
		return durationPaths(t.Elem(), path+"[]")
	case t.Kind() == reflect.Map:
		return durationPaths(t.Elem(), path+"[]")
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if name, ok := yamlName(t.Field(i)); ok {
				for p := range durationPaths(t.Field(i).Type, joinPath(path, name)) {
					out[p] = true
				}
			}
		}
	}
	return out
}

// yamlName returns the YAML key of a struct field; false for a field
// without one.
func yamlName(f reflect.StructField) (string, bool) {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" || name == "-" || !f.IsExported() {
		return "", false
	}
	return name, true
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
