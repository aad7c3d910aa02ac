package configs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics and that every problem it
// reports is one of ours, naming the file and a line in it. The seeds are
// the shipped examples and every testdata file, good and bad, besides
// testdata/fuzz/FuzzParse/, which holds the inputs that once failed.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(seeds, "quickstart.yaml", "bench.yaml") {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("# only a comment\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		cfg, err := Parse(file, data)
		if err == nil {
			if cfg == nil || cfg.File != file {
				t.Fatalf("Parse succeeded with config %+v", cfg)
			}
			return
		}
		if cfg != nil {
			t.Errorf("Parse failed (%v) but returned a config", err)
		}
		checkPositions(t, err, file, data)
	})
}

// checkPositions checks that err is an Errors of problems each naming file
// and a line of data.
func checkPositions(t *testing.T, err error, file string, data []byte) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) || len(es) == 0 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse error %v (%T) is not a non-empty Errors matching ErrInvalid", err, err)
	}
	lines := yamlLines(data)
	for _, e := range es {
		if e.File != file || e.Line < 1 || e.Line > lines {
			t.Errorf("problem %q has file %q and line %d, want %q and a line in 1..%d\ninput %q", e, e.File, e.Line, file, lines, data)
		}
	}
}

// yamlLines returns the number of lines of data as YAML counts them: a
// line break is "\r\n", "\n" or a lone "\r".
func yamlLines(data []byte) int {
	lines := 1
	for i, b := range data {
		if b == '\n' || (b == '\r' && (i+1 == len(data) || data[i+1] != '\n')) {
			lines++
		}
	}
	return lines
}
