package gateway

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want failure
	}{
		{"admission shed", fmt.Errorf("%w: low calls", ErrShed), failure{http.StatusServiceUnavailable, codes.Unavailable, ShedRetryAfter, ReasonShed}},
		{"a tier shed", fmt.Errorf("%w: tier light", router.ErrShed), failure{http.StatusServiceUnavailable, codes.Unavailable, ShedRetryAfter, ReasonShed}},
		{"no capacity", fmt.Errorf("%w: pool a down", router.ErrNoCapacity), failure{http.StatusServiceUnavailable, codes.Unavailable, time.Second, ReasonNoCapacity}},
		{"queue full", batcher.ErrQueueFull, failure{http.StatusTooManyRequests, codes.ResourceExhausted, time.Second, ReasonQueueFull}},
		{"unknown", fmt.Errorf("boom"), failure{http.StatusInternalServerError, codes.Internal, 0, ReasonInternal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %+v, want %+v", tt.err, got, tt.want)
			}
		})
	}
}
