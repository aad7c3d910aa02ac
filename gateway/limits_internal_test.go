package gateway

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/oip"
)

func TestCheckDepth(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		tooDeep bool
	}{
		{"empty", ``, false},
		{"scalar", `1`, false},
		{"at the limit", `{"a":[{"b":[]}]}`, false},
		{"over the limit", `{"a":[{"b":[[]]}]}`, true},
		{"siblings do not add up", `[[[[]]],[[[]]],[[[]]]]`, false},
		{"brackets in a string", `{"a":"[[[[[[[["}`, false},
		{"escaped quote keeps the string open", `{"a":"\"[[[[[[["}`, false},
		{"escaped backslash closes the string", `{"a":"\\","b":[[[[]]]]}`, true},
		{"unbalanced closers are left to the decoder", `]]]]]]{"a":[[[[[[[[`, false},
	}
	b := bounds{depth: 4}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.checkDepth([]byte(tt.body))
			if got := err != nil; got != tt.tooDeep {
				t.Fatalf("checkDepth(%s) = %v, want too deep: %v", tt.body, err, tt.tooDeep)
			}
			if err != nil && !errors.Is(err, oip.ErrInvalid) {
				t.Errorf("error %v does not match oip.ErrInvalid", err)
			}
		})
	}
}

func TestBoundsOf(t *testing.T) {
	defaults := bounds{
		depth: configs.DefaultMaxJSONDepth, elements: configs.DefaultMaxTensorElements,
		bodyTimeout: configs.DefaultBodyTimeout, writeTimeout: configs.DefaultWriteTimeout, inFlight: configs.DefaultMaxInFlight,
	}
	tests := []struct {
		name string
		opts Options
		want bounds
	}{
		{"defaults", Options{}, defaults},
		{"set", Options{MaxJSONDepth: 5, MaxTensorElements: 7, MaxDeadline: time.Second, BodyTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, MaxInFlight: 9},
			bounds{depth: 5, elements: 7, deadline: time.Second, bodyTimeout: 2 * time.Second, writeTimeout: 3 * time.Second, inFlight: 9}},
		{"negative means default or none", Options{MaxJSONDepth: -1, MaxTensorElements: -1, MaxDeadline: -time.Second, BodyTimeout: -1, WriteTimeout: -1, MaxInFlight: -1},
			defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, boundsOf(tt.opts), cmp.AllowUnexported(bounds{})); diff != "" {
				t.Errorf("boundsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientDeadline(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		cap, timeout time.Duration
		want         time.Time // zero: none
	}{
		{"neither", 0, 0, time.Time{}},
		{"the client's, no cap", 0, time.Hour, now.Add(time.Hour)},
		{"the cap, when the client sets none", time.Minute, 0, now.Add(time.Minute)},
		{"shorter than the cap", time.Minute, time.Second, now.Add(time.Second)},
		{"equal to the cap", time.Minute, time.Minute, now.Add(time.Minute)},
		{"longer than the cap", time.Minute, time.Hour, now.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (bounds{deadline: tt.cap}).clientDeadline(now, tt.timeout); !got.Equal(tt.want) {
				t.Errorf("clientDeadline(now, %v) with cap %v = %v, want %v", tt.timeout, tt.cap, got, tt.want)
			}
		})
	}
}
