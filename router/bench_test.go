package router

import "testing"

// BenchmarkPick measures the pool choice of one call on the default
// picker over a tier of two idle pools, the request path's pick layer.
func BenchmarkPick(b *testing.B) {
	views, f := []PoolView{gpu(), cpu()}, light()
	picker := DefaultPicker()
	b.ReportAllocs()
	for b.Loop() {
		d, err := picker.Pick(views, f, t0)
		if err != nil || d.Pool != "cpu" {
			b.Fatal(d, err)
		}
	}
}
