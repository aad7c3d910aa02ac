package simplot

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/bench/sim"
)

func TestWritePNG(t *testing.T) {
	tl := &sim.Timeline{
		Pools:       []string{"a", "b"},
		Offered:     []float64{10, 20, 30, 40},
		Queued:      []float64{0, 1, 0, 0},
		CostPerHour: []float64{1, 1, 2, 2},
		Replicas:    [][]float64{{1, 1, 2, 2}, {0, 0, 0, 1}},
		P99:         []float64{math.NaN()},
	}
	var buf bytes.Buffer
	if err := WritePNG(&buf, tl, Options{Title: "t", SLOs: []time.Duration{time.Second}}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 500 {
		t.Errorf("image of %v", b)
	}
}

func TestWritePNGEmpty(t *testing.T) {
	for _, tl := range []*sim.Timeline{nil, {}} {
		if err := WritePNG(&bytes.Buffer{}, tl, Options{}); err == nil || !strings.Contains(err.Error(), "empty timeline") {
			t.Errorf("error %v, want an empty timeline", err)
		}
	}
}
