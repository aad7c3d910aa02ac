package sim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-gateway/sluice/scaler"
)

// Knob is one setting of a policy family that a sweep varies.
type Knob struct {
	// Name keys the knob in a Point and in reports, e.g. "target".
	Name string
	// Doc says what the knob sets, with its unit.
	Doc string
	// Values is the grid a sweep runs, in the order reports list it.
	Values []float64
	// Default is the value of the family's default configuration; it
	// need not be one of Values. NaN means the default is the
	// configuration's, unknown here (see Families).
	Default float64
}

// Point is one configuration of a family: a value per knob name. A
// policy built from a Point reads only the knobs of its family.
type Point map[string]float64

// Family is a policy with knobs, as operators configure it: the policy at
// each point of a grid of settings, and the point its documentation or
// its configuration sets by default.
type Family struct {
	// Name names the family in reports; unique among Families.
	Name string
	// Doc says in one line what the policy is and how it is set up.
	Doc string
	// Knobs are the settings a sweep varies; the grid is their product.
	Knobs []Knob
	// Build returns the policy at a point with a value for every knob.
	Build func(p Point) NewPolicyFunc
}

// Families returns the policy families a Pareto sweep compares, Sluice's
// first, then the autoscalers as operators run them, then static fleets.
// The costaware family's defaults are spec's settings; with a nil spec
// they are NaN (the configuration's) and its policies fail to build,
// which serves to describe the grids.
func Families(spec *scaler.Spec) []Family {
	return []Family{costawareFamily(spec), hpaPerPoolFamily, hpaCheapestGPUFamily, kpaFamily,
		kedaInflightFamily, kedaRateFamily, staticFamily}
}

// FamilyNames returns the names of the Families, in their order.
func FamilyNames() []string {
	fams := Families(nil)
	names := make([]string, len(fams))
	for i, f := range fams {
		names[i] = f.Name
	}
	return names
}

// FamiliesText describes every family and its grid for people: a line
// per family, two spaces in, then its GridText six spaces in.
func FamiliesText() string {
	var b strings.Builder
	for _, f := range Families(nil) {
		fmt.Fprintf(&b, "  %s: %s\n", f.Name, f.Doc)
		for line := range strings.SplitSeq(f.GridText(), "\n") {
			fmt.Fprintf(&b, "      %s\n", line)
		}
	}
	return b.String()
}

// Default returns the family's default configuration.
func (f Family) Default() Point {
	p := Point{}
	for _, k := range f.Knobs {
		p[k.Name] = k.Default
	}
	return p
}

// Grid returns every point of the product of the knobs' values, the
// first knob varying slowest, and the default point at the end unless
// it is one of them.
func (f Family) Grid() []Point {
	grid := []Point{{}}
	for _, k := range f.Knobs {
		next := make([]Point, 0, len(grid)*len(k.Values))
		for _, p := range grid {
			for _, v := range k.Values {
				q := Point{k.Name: v}
				for name, x := range p {
					q[name] = x
				}
				next = append(next, q)
			}
		}
		grid = next
	}
	def := f.Default()
	if !slices.ContainsFunc(grid, func(p Point) bool { return f.Same(p, def) }) {
		grid = append(grid, def)
	}
	return grid
}

// Same reports whether p and q set every knob of f alike.
func (f Family) Same(p, q Point) bool {
	for _, k := range f.Knobs {
		if p[k.Name] != q[k.Name] {
			return false
		}
	}
	return true
}

// IsDefault reports whether p is the family's default configuration.
func (f Family) IsDefault(p Point) bool { return f.Same(p, f.Default()) }

// Format writes p as "name=value" pairs in the order of the knobs, or
// "default" for a family without knobs.
func (f Family) Format(p Point) string {
	parts := make([]string, 0, len(f.Knobs))
	for _, k := range f.Knobs {
		parts = append(parts, k.Name+"="+strconv.FormatFloat(p[k.Name], 'g', -1, 64))
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, ",")
}

// GridText describes the grid for people, e.g. "target ∈ {0.5, 0.7}
// (default 0.7)", one knob per line; a NaN default reads "(default: the
// configuration's)".
func (f Family) GridText() string {
	lines := make([]string, 0, len(f.Knobs))
	for _, k := range f.Knobs {
		vals := make([]string, len(k.Values))
		for i, v := range k.Values {
			vals[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		def := fmt.Sprintf("default %g", k.Default)
		if math.IsNaN(k.Default) {
			def = "default: the configuration's"
		}
		lines = append(lines, fmt.Sprintf("%s ∈ {%s} (%s): %s", k.Name, strings.Join(vals, ", "), def, k.Doc))
	}
	return strings.Join(lines, "\n")
}

// New returns the policy at p. It fails with ErrPolicy when p lacks a
// knob of the family or the family cannot build policies.
func (f Family) New(p Point) (NewPolicyFunc, error) {
	if f.Build == nil {
		return nil, fmt.Errorf("%w: %s builds no policy", ErrPolicy, f.Name)
	}
	for _, k := range f.Knobs {
		if _, ok := p[k.Name]; !ok {
			return nil, fmt.Errorf("%w: %s: no value for knob %q", ErrPolicy, f.Name, k.Name)
		}
	}
	return f.Build(p), nil
}

// mustDefault returns the family's policy at its default point, for the
// built-in policies that are a family's default.
func (f Family) mustDefault() NewPolicyFunc { return f.Build(f.Default()) }
