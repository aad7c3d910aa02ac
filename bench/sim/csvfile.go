package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// table reads a CSV file with a header naming a fixed set of columns, in
// any order, and places every error at its file, line and column.
type table struct {
	name string // file name for error messages
	kind error  // ErrTrace or ErrEvents
	r    *csv.Reader
	cols []int    // cols[i] is the field index of the i-th wanted column
	rec  []string // the current record
}

// openTable reads the header from r and checks that it names exactly the
// columns want. name is the file name used in errors, which wrap kind.
func openTable(r io.Reader, name string, kind error, want []string) (*table, error) {
	t := &table{name: name, kind: kind, r: csv.NewReader(r)}
	t.r.FieldsPerRecord = -1 // the header sets it
	t.r.TrimLeadingSpace = true
	t.r.Comment = '#'
	t.r.ReuseRecord = true
	header, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: empty file, want the header %q", kind, name, strings.Join(want, ","))
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	if err := t.mapHeader(header, want); err != nil {
		return nil, err
	}
	t.r.FieldsPerRecord = len(header)
	return t, nil
}

// mapHeader fills t.cols from the header's column names.
func (t *table) mapHeader(header, want []string) error {
	t.cols = make([]int, len(want))
	for i, w := range want {
		t.cols[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), w) {
				t.cols[i] = j
			}
		}
		if t.cols[i] < 0 {
			line, _ := t.r.FieldPos(0)
			return fmt.Errorf("%w: %s:%d:1: header %q lacks column %q (want %q)",
				t.kind, t.name, line, strings.Join(header, ","), w, strings.Join(want, ","))
		}
	}
	return nil
}

// next reads the next record; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, t.csvError(err)
	}
	t.rec = rec
	return true, nil
}

// field returns the trimmed text of wanted column i of the current record.
func (t *table) field(i int) string { return strings.TrimSpace(t.rec[t.cols[i]]) }

// errorf returns an error placed at wanted column i of the current record.
func (t *table) errorf(i int, format string, args ...any) error {
	line, col := t.r.FieldPos(t.cols[i])
	return fmt.Errorf("%w: %s:%d:%d: %s", t.kind, t.name, line, col, fmt.Sprintf(format, args...))
}

// csvError places a syntax error of encoding/csv.
func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s:%d:%d: %w", t.kind, t.name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%w: %s: %w", t.kind, t.name, err)
}

// int reads wanted column i as a non-negative integer.
func (t *table) int(i int, what string) (int, error) {
	s := t.field(i)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, t.errorf(i, "%s %q: want an integer >= 0", what, s)
	}
	return n, nil
}

// float reads wanted column i as a finite number in [lo, hi].
func (t *table) float(i int, what string, lo, hi float64) (float64, error) {
	s := t.field(i)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= lo && v <= hi) {
		return 0, t.errorf(i, "%s %q: want a number in [%g, %g]", what, s, lo, hi)
	}
	return v, nil
}
