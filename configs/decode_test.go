package configs

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/costmodel"
)

// decodeBad lists the files that fail to parse or decode and their problems, in order.
var decodeBad = []badCase{
	{"unknown-key", []string{"unknown-key.bad.yaml:6: pools[0].price_per_hr: unknown field (want one of name, price_per_hour,"}},
	{"bad-duration", []string{`bad-duration.bad.yaml:4: models[0].slo: "fast" is not a duration`}},
	{"unitless-duration", []string{"unitless-duration.bad.yaml:6: pools[0].cold_start: 30 is not a duration"}},
	{"syntax", []string{"syntax.bad.yaml:2: syntax error: "}},
	{"duplicate-key", []string{`duplicate-key.bad.yaml:6: syntax error: mapping key "name" already defined`}},
	{"wrong-type", []string{`wrong-type.bad.yaml:6: pools[0].max_batch: "eight" is not an integer`}},
	{"fractional-int", []string{"fractional-int.bad.yaml:6: pools[0].max_batch: 1.5 is not an integer"}},
	{"not-a-list", []string{`not-a-list.bad.yaml:4: tiers[0].pools: got "a", want a list`}},
	{"route-header", []string{"route-header.bad.yaml:6: routes[0].match.header: got a list, want a mapping"}},
	{"two-documents", []string{"two-documents.bad.yaml:4: only one YAML document is allowed"}},
	{"several-decode", []string{
		`several-decode.bad.yaml:5: models[0].slo: "soon" is not a duration`,
		"several-decode.bad.yaml:10: pools[0].colour: unknown field",
		`several-decode.bad.yaml:12: pools[1].max_batch: "many" is not an integer`,
	}},
}

func TestDecodeBad(t *testing.T) { loadBad(t, decodeBad) }

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalid) {
		t.Errorf("Load error = %v, want one matching fs.ErrNotExist and not ErrInvalid", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "configs: ") {
		t.Errorf("Load error = %q, want the prefix %q", err, "configs: ")
	}
}

func TestParseEmpty(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"nothing", ""},
		{"comments only", "# nothing here\n"},
		{"null document", "~\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("empty.yaml", []byte(tt.data))
			want := "empty.yaml:1: pools: at least one pool is required\n" +
				"empty.yaml:1: models: at least one model is required"
			if err == nil || err.Error() != want {
				t.Errorf("Parse error =\n%v\nwant\n%s", err, want)
			}
		})
	}
}

func TestParseRootNotAMapping(t *testing.T) {
	_, err := Parse("list.yaml", []byte("- a\n- b\n"))
	want := "list.yaml:1: got a list, want a mapping"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %q", err, want)
	}
}

func TestPositionsLine(t *testing.T) {
	pos := positions{"": 2, "pools": 5, "pools[0]": 6, "pools[0].curve": 8}
	tests := []struct {
		field string
		want  int
	}{
		{"pools[0].curve", 8},
		{"pools[0].curve.base", 8},
		{"pools[0].replicas.min", 6},
		{"pools[3].name", 5},
		{"models", 2},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := pos.line(tt.field); got != tt.want {
				t.Errorf("line(%q) = %d, want %d", tt.field, got, tt.want)
			}
		})
	}
	if got := (positions{}).line("x.y"); got != 1 {
		t.Errorf("line in empty positions = %d, want 1", got)
	}
}

// TestAnchors checks that anchors, aliases and merge keys decode, and that
// a key beside a merge key overrides the merged one.
func TestAnchors(t *testing.T) {
	cfg, err := Load("testdata/anchors.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	gpu := costmodel.Curve{Base: 32 * time.Millisecond, PerItem: 4 * time.Millisecond}
	want := []Pool{
		{Name: "a", PricePerHour: 1.20, Curve: gpu, MaxBatch: 32, MaxBatchBytes: DefaultMaxBatchBytes, Replicas: Replicas{Initial: 1, Max: 1}},
		{Name: "b", PricePerHour: 3.00, Curve: gpu, MaxBatch: 32, MaxBatchBytes: DefaultMaxBatchBytes, Replicas: Replicas{Initial: 1, Max: 1}},
	}
	if diff := cmp.Diff(want, cfg.Pools); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
}
