package local

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBackoffDelay(t *testing.T) {
	custom := Backoff{Initial: 100 * time.Millisecond, Max: 350 * time.Millisecond}
	tests := []struct {
		name     string
		backoff  Backoff
		failures int
		want     time.Duration
	}{
		{"no failure waits nothing", custom, 0, 0},
		{"negative failures wait nothing", custom, -3, 0},
		{"first restart waits initial", custom, 1, 100 * time.Millisecond},
		{"second doubles", custom, 2, 200 * time.Millisecond},
		{"third is capped at max", custom, 3, 350 * time.Millisecond},
		{"many stay at max", custom, 1000, 350 * time.Millisecond},
		{"max below initial caps at initial", Backoff{Initial: time.Second, Max: time.Millisecond}, 4, time.Second},
		{"zero value uses defaults", Backoff{}, 1, DefaultBackoffInitial},
		{"zero value is capped at the default max", Backoff{}, 64, DefaultBackoffMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.backoff.Delay(tt.failures); got != tt.want {
				t.Errorf("Delay(%d) = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}

func TestBackoffFailures(t *testing.T) {
	b := Backoff{Reset: time.Minute}
	tests := []struct {
		name     string
		failures int
		ranFor   time.Duration
		ready    bool
		want     int
	}{
		{"failed start counts", 0, 0, false, 1},
		{"short run adds up", 4, 59 * time.Second, false, 5},
		{"long run starts over", 4, time.Minute, false, 1},
		{"a worker that served starts over", 4, time.Second, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Failures(tt.failures, tt.ranFor, tt.ready); got != tt.want {
				t.Errorf("Failures(%d, %v, %v) = %d, want %d", tt.failures, tt.ranFor, tt.ready, got, tt.want)
			}
		})
	}
}

func TestOptionsWithDefaults(t *testing.T) {
	ignore := cmpopts.IgnoreFields(Options{}, "Logger", "OnChange", "Start")
	tests := []struct {
		name string
		in   Options
		want Options
	}{
		{
			name: "zero value",
			in:   Options{},
			want: Options{
				Command:          []string{executable(), "worker"},
				ProbeInterval:    DefaultProbeInterval,
				ProbeTimeout:     DefaultProbeTimeout,
				FailureThreshold: DefaultFailureThreshold,
				StartTimeout:     DefaultStartTimeout,
				DrainDelay:       DefaultDrainDelay,
				StopGrace:        DefaultStopGrace,
				RestartBackoff:   Backoff{Initial: DefaultBackoffInitial, Max: DefaultBackoffMax, Reset: DefaultBackoffReset},
				OutputRate:       DefaultOutputRate,
				OutputBurst:      DefaultOutputBurst,
			},
		},
		{
			name: "set fields kept, negative drain delay means none",
			in: Options{
				Command:          []string{"/bin/w"},
				ProbeInterval:    time.Second,
				ProbeTimeout:     2 * time.Second,
				FailureThreshold: 1,
				StartTimeout:     3 * time.Second,
				DrainDelay:       -1,
				StopGrace:        4 * time.Second,
				RestartBackoff:   Backoff{Initial: time.Millisecond},
				OutputRate:       5,
				OutputBurst:      7,
			},
			want: Options{
				Command:          []string{"/bin/w"},
				ProbeInterval:    time.Second,
				ProbeTimeout:     2 * time.Second,
				FailureThreshold: 1,
				StartTimeout:     3 * time.Second,
				DrainDelay:       0,
				StopGrace:        4 * time.Second,
				RestartBackoff:   Backoff{Initial: time.Millisecond, Max: DefaultBackoffMax, Reset: DefaultBackoffReset},
				OutputRate:       5,
				OutputBurst:      7,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.withDefaults()
			if diff := cmp.Diff(tt.want, got, ignore); diff != "" {
				t.Errorf("withDefaults() mismatch (-want +got):\n%s", diff)
			}
			if got.Logger == nil {
				t.Error("withDefaults().Logger = nil, want a discarding logger")
			}
			if got.Start == nil {
				t.Error("withDefaults().Start = nil, want the command's starter")
			}
		})
	}
}
