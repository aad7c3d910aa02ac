package router_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/router"
)

// TestNewRequiresSettings checks that New refuses health checks and
// retries turned on without the timeout or window they need: the router
// has no defaults of its own for them.
func TestNewRequiresSettings(t *testing.T) {
	tests := []struct {
		name string
		cfg  router.Config
		want string
	}{
		{"active checks without a timeout", router.Config{Health: router.HealthConfig{Interval: time.Second}},
			"health timeout 0s must be > 0"},
		{"ejection without a timeout", router.Config{Health: router.HealthConfig{EjectAfter: 3, EjectFor: time.Second}},
			"health timeout 0s must be > 0"},
		{"retries without a window", router.Config{Retry: router.RetryConfig{Budget: 0.2}},
			"retry window 0s must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := router.New(tt.cfg)
			if r != nil {
				r.Close()
			}
			if !errors.Is(err, router.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want ErrConfig containing %q", err, tt.want)
			}
		})
	}
	r, err := router.New(router.Config{})
	if err != nil {
		t.Fatalf("New(zero Config) = %v, want checks and retries off", err)
	}
	r.Close()
}
