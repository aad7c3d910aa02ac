package router

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHealth(t *testing.T) {
	cfg := HealthConfig{EjectAfter: 3, EjectFor: time.Second}
	s := time.Second
	type event struct {
		at   time.Duration // since t0
		kind string        // "ok", "fail", "gone", "probe-ok", "probe-fail"
	}
	tests := []struct {
		name   string
		cfg    HealthConfig
		events []event
		want   health
		ready  bool
	}{
		{"healthy", cfg, nil, health{}, true},
		{"failures below the threshold", cfg, []event{{0, "fail"}, {0, "fail"}}, health{failures: 2}, true},
		{"a success clears the failures", cfg, []event{{0, "fail"}, {0, "fail"}, {0, "ok"}, {0, "fail"}}, health{failures: 1}, true},
		{"consecutive failures eject", cfg, []event{{0, "fail"}, {0, "fail"}, {0, "fail"}},
			health{ejections: 1, until: t0.Add(s)}, false},
		{"unreachable ejects at once", cfg, []event{{0, "gone"}}, health{ejections: 1, until: t0.Add(s)}, false},
		{"passive ejection off", HealthConfig{}, []event{{0, "gone"}, {0, "fail"}}, health{}, true},
		{"failures while ejected do not extend it", cfg, []event{{0, "gone"}, {s / 2, "gone"}},
			health{ejections: 1, until: t0.Add(s)}, false},
		{"an early probe does not end the ejection", cfg, []event{{0, "gone"}, {s / 2, "probe-ok"}},
			health{ejections: 1, until: t0.Add(s)}, false},
		{"a ready probe after the ejection returns the worker", cfg, []event{{0, "gone"}, {s, "probe-ok"}},
			health{ejections: 1}, true},
		{"a failed probe doubles the ejection", cfg, []event{{0, "gone"}, {s, "probe-fail"}},
			health{ejections: 2, until: t0.Add(3 * s)}, false},
		{"ejected again soon after returning: longer", cfg, []event{{0, "gone"}, {s, "probe-ok"}, {2 * s, "gone"}},
			health{ejections: 2, until: t0.Add(4 * s)}, false},
		{"a good batch resets the back-off", cfg, []event{{0, "gone"}, {s, "probe-ok"}, {s, "ok"}, {2 * s, "gone"}},
			health{ejections: 1, until: t0.Add(3 * s)}, false},
		{"the back-off is capped", cfg, []event{
			{0, "gone"}, {1 * s, "probe-fail"}, {3 * s, "probe-fail"}, {7 * s, "probe-fail"}, {15 * s, "probe-fail"},
			{31 * s, "probe-fail"}, {63 * s, "probe-fail"}, {127 * s, "probe-fail"},
		}, health{ejections: 8, until: t0.Add(191 * s)}, false},
		{"a failed active check takes the worker down", cfg, []event{{0, "probe-fail"}}, health{down: true}, false},
		{"a passed check brings it back", cfg, []event{{0, "probe-fail"}, {s, "probe-ok"}}, health{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			for _, e := range tt.events {
				now := t0.Add(e.at)
				switch e.kind {
				case "ok":
					h = h.succeeded()
				case "fail", "gone":
					h = h.failed(now, e.kind == "gone", tt.cfg)
				case "probe-ok", "probe-fail":
					h = h.probed(now, e.kind == "probe-ok", tt.cfg)
				default:
					t.Fatalf("unknown event %q", e.kind)
				}
			}
			if diff := cmp.Diff(tt.want, h, cmp.AllowUnexported(health{})); diff != "" {
				t.Errorf("health (-want +got):\n%s", diff)
			}
			if h.ready() != tt.ready {
				t.Errorf("ready = %v, want %v", h.ready(), tt.ready)
			}
		})
	}
}
