package app

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSpendMeter(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return day.Add(d) }
	type obs struct {
		at      time.Time
		perHour float64
		served  uint64
	}
	tests := []struct {
		name string
		obs  []obs
		want spendReading
	}{
		{name: "nothing observed", want: spendReading{}},
		{
			name: "the first decision spends nothing",
			obs:  []obs{{at(time.Hour), 2, 100}},
			want: spendReading{},
		},
		{
			name: "each decision adds its price over the time since the previous",
			obs:  []obs{{at(time.Hour), 2, 0}, {at(90 * time.Minute), 4, 1e6}, {at(2 * time.Hour), 4, 2e6}},
			// 0.5 h at 4 $/h, twice: 4 $, for 2 million inferences.
			want: spendReading{Spent: 4, Today: 4, PerMillion: 2, PerMillionOK: true},
		},
		{
			name: "the cost per million covers the last window only",
			obs: []obs{
				{at(0), 10, 0}, {at(time.Hour), 10, 1e6},
				{at(time.Hour + spendWindow), 1, 3e6},
			},
			// In the window: 5 min at 1 $/h for 2 million inferences.
			want: spendReading{Spent: 10 + 1.0/12, Today: 10 + 1.0/12, PerMillion: 1.0 / 24, PerMillionOK: true},
		},
		{
			name: "no inference served in the window: no cost per million",
			obs:  []obs{{at(time.Hour), 3, 7}, {at(2 * time.Hour), 3, 7}},
			want: spendReading{Spent: 3, Today: 3},
		},
		{
			name: "today starts afresh at midnight",
			obs:  []obs{{at(23 * time.Hour), 6, 0}, {at(25 * time.Hour), 6, 0}},
			// 2 h at 6 $/h, of which 1 h today.
			want: spendReading{Spent: 12, Today: 6},
		},
		{
			name: "a decision back in time is ignored",
			obs:  []obs{{at(2 * time.Hour), 1, 0}, {at(time.Hour), 100, 0}, {at(3 * time.Hour), 1, 0}},
			want: spendReading{Spent: 1, Today: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m spendMeter
			for _, o := range tt.obs {
				m.observe(o.at, o.perHour, o.served)
			}
			if diff := cmp.Diff(tt.want, m.read(), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("reading (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpendMeterKeepsOnlyItsWindow(t *testing.T) {
	var m spendMeter
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		m.observe(t0.Add(time.Duration(i)*time.Second), 1, uint64(i))
	}
	if n, max := len(m.samples), int(spendWindow/time.Second)+1; n > max {
		t.Errorf("%d samples kept at one a second, want at most %d", n, max)
	}
	if got := m.read().PerMillion; math.Abs(got-1.0/3600*1e6) > 1e-6 {
		t.Errorf("cost per million = %v, want %v at 1 $/h and one inference a second", got, 1.0/3600*1e6)
	}
}
