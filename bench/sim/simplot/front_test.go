package simplot

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestWriteFrontPNG(t *testing.T) {
	o := FrontOptions{
		Title: "steady",
		Fronts: []Front{
			{Name: "costaware", Points: []Point{{CostUSD: 1.8, Attainment: 0.99}, {CostUSD: 1.9, Attainment: 1}}},
			{Name: "static", Points: []Point{{CostUSD: 2.4, Attainment: 0.9995}}},
			{Name: "never reached", Points: nil},
		},
		Marks:    []Mark{{Label: "oracle@0.99", Point: Point{CostUSD: 1.7, Attainment: 0.992}}},
		LowerUSD: 1.2,
		Levels:   []float64{0.95, 0.99, 0.999},
	}
	var buf bytes.Buffer
	if err := WriteFrontPNG(&buf, o); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 500 {
		t.Errorf("image of %v", b)
	}
	if err := WriteFrontPNG(&bytes.Buffer{}, FrontOptions{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty plot: error %v, want one saying it is empty", err)
	}
}
