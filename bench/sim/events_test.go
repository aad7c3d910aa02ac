package sim

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadEvents(t *testing.T) {
	in := "second,event,pool,value\n" +
		"600,pool_down,gpu-spot,\n" +
		"5,price,gpu-spot,0.8\n" +
		"1200,pool_up,gpu-spot,\n" +
		"5,spot_interrupt,gpu-spot,0.25\n"
	got, err := ReadEvents(strings.NewReader(in), "e.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Second: 5, Kind: Price, Pool: "gpu-spot", Value: 0.8},
		{Second: 5, Kind: SpotInterrupt, Pool: "gpu-spot", Value: 0.25},
		{Second: 600, Kind: PoolDown, Pool: "gpu-spot"},
		{Second: 1200, Kind: PoolUp, Pool: "gpu-spot"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestReadEventsErrors(t *testing.T) {
	const header = "second,event,pool,value\n"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "unknown event", in: header + "1,flood,gpu-spot,\n", want: `e.csv:2:3: event "flood"`},
		{name: "missing pool", in: header + "1,pool_down,,\n", want: "e.csv:2:13: pool_down: missing pool"},
		{name: "value on pool_up", in: header + "1,pool_up,a,3\n", want: `e.csv:2:13: pool_up takes no value, got "3"`},
		{name: "fraction zero", in: header + "1,spot_interrupt,a,0\n", want: `e.csv:2:20: spot_interrupt fraction "0"`},
		{name: "fraction above one", in: header + "1,spot_interrupt,a,2\n", want: `e.csv:2:20: spot_interrupt fraction "2"`},
		{name: "price missing", in: header + "1,price,a,\n", want: `e.csv:2:11: price ""`},
		{name: "negative second", in: header + "-1,price,a,1\n", want: `e.csv:2:1: second "-1"`},
		{name: "bad header", in: "second,event,pool\n", want: `e.csv:1:1: header "second,event,pool" lacks column "value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadEvents(strings.NewReader(tt.in), "e.csv")
			if !errors.Is(err, ErrEvents) {
				t.Fatalf("error %v does not wrap ErrEvents", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
}

func TestEventKindString(t *testing.T) {
	for name, kind := range eventNames {
		if got := kind.String(); got != name {
			t.Errorf("%d.String() = %q, want %q", kind, got, name)
		}
	}
	if got := EventKind(99).String(); got != "event(99)" {
		t.Errorf("unknown kind = %q", got)
	}
}
