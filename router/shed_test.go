package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/router"
)

// TestSetShed sheds classes of one tier: its less urgent requests are
// refused, the other tier's are not, and every request counts in its
// tier's demand, refused or not.
func TestSetShed(t *testing.T) {
	f := startTwoTiers(t)
	f.router.SetShed("light", batcher.ShedLow)
	f.router.SetShed("heavy", batcher.ShedNormal)
	f.router.SetShed("heavy", batcher.ShedNone) // admits every class again
	tests := []struct {
		name     string
		rows     int
		p        batcher.Priority
		wantShed bool
	}{
		{"light low shed", 1, batcher.Low, true},
		{"light normal served", 1, batcher.Normal, false},
		{"light high served", 2, batcher.High, false},
		{"heavy low served", 4, batcher.Low, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &router.Request{Model: "sum", Req: sumRequest("", tt.rows, 2), Priority: tt.p}
			_, err := f.router.Serve(context.Background(), req)
			if errors.Is(err, router.ErrShed) != tt.wantShed || (err != nil && !tt.wantShed) {
				t.Errorf("Serve() = %v, want shed %v", err, tt.wantShed)
			}
		})
	}
	want := []router.TierStats{
		{Name: "heavy", Requests: batcher.ClassCounts{Low: 1}, Rows: batcher.ClassCounts{Low: 4}},
		{Name: "light", Requests: batcher.ClassCounts{High: 1, Normal: 1, Low: 1}, Rows: batcher.ClassCounts{High: 2, Normal: 1, Low: 1}},
	}
	if diff := cmp.Diff(want, f.router.TierStats()); diff != "" {
		t.Errorf("TierStats (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]batcher.ShedLevel{"light": batcher.ShedLow}, f.router.Shedding()); diff != "" {
		t.Errorf("Shedding() (-want +got):\n%s", diff)
	}
}
