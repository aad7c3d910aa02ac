package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/budget"
)

// fileVersion is the version of the state file's format.
const fileVersion = 1

// fileDoc is the state file's content.
type fileDoc struct {
	Version int `json:"version"`
	// Spend holds each subject's total per window.
	Spend map[string]map[string]windowTotal `json:"spend"`
	// Budgets holds the operator's budgets, by tenant.
	Budgets map[string]budget.Amounts `json:"budgets,omitempty"`
}

// windowTotal is what a subject spent in the window starting at Start.
type windowTotal struct {
	Start time.Time `json:"start"`
	USD   float64   `json:"usd"`
}

// File is a Store in a JSON file, for a gateway without Redis. It is safe
// for concurrent use.
type File struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	mu    sync.Mutex
	doc   fileDoc
	dirty bool
}

// OpenFile opens the state file at path, which need not exist yet; now is
// the clock that tells which windows ended, nil meaning time.Now. A file
// that cannot be decoded as a state file, or holds impossible values, is
// refused: OpenFile logs an error naming the file and the problem
// (matching ErrCorrupt), renames it to path + ".corrupt" so that it is
// kept, and starts afresh. It fails only when the file exists but cannot
// be read.
func OpenFile(path string, now func() time.Time, log *slog.Logger) (*File, error) {
	if now == nil {
		now = time.Now
	}
	f := &File{path: path, log: log, now: now, doc: emptyDoc()}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("state: reading %s: %w", path, err)
	}
	doc, err := decodeFile(data)
	if err != nil {
		f.refuse(err)
		return f, nil
	}
	f.doc = doc
	log.Info("state file read", slog.String("path", path), slog.Int("subjects", len(doc.Spend)), slog.Int("budgets", len(doc.Budgets)))
	return f, nil
}

func emptyDoc() fileDoc {
	return fileDoc{Version: fileVersion, Spend: map[string]map[string]windowTotal{}, Budgets: map[string]budget.Amounts{}}
}

// refuse logs why the file is corrupt and moves it aside, so that the
// next write does not destroy what an operator may want to read.
func (f *File) refuse(why error) {
	const msg = "state file refused; starting with no spend recorded"
	aside := f.path + ".corrupt"
	if err := os.Rename(f.path, aside); err != nil {
		f.log.Error(msg, slog.String("path", f.path), slog.Any("error", why), slog.Any("rename_error", err))
		return
	}
	f.log.Error(msg, slog.String("path", f.path), slog.Any("error", why), slog.String("kept_as", aside))
}

// decodeFile decodes a state file strictly and checks its values.
func decodeFile(data []byte) (fileDoc, error) {
	doc := emptyDoc()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return fileDoc{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if doc.Version != fileVersion {
		return fileDoc{}, fmt.Errorf("%w: version %d, want %d", ErrCorrupt, doc.Version, fileVersion)
	}
	return doc, checkDoc(doc)
}

// checkDoc rejects what no gateway writes: unknown windows, negative or
// infinite amounts.
func checkDoc(doc fileDoc) error {
	for subject, windows := range doc.Spend {
		for name, t := range windows {
			if _, ok := budget.ParseWindow(name); !ok || !(budget.Amounts{t.USD}).Valid() {
				return fmt.Errorf("%w: spend of %q in %q: %v USD", ErrCorrupt, subject, name, t.USD)
			}
		}
	}
	for tenant, b := range doc.Budgets {
		if !b.Valid() {
			return fmt.Errorf("%w: budget of %q: %v", ErrCorrupt, tenant, b)
		}
	}
	return nil
}

// AddSpend implements Store, and writes the file when a delta is not
// zero.
func (f *File) AddSpend(_ context.Context, deltas []budget.Delta) ([]float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	totals := make([]float64, len(deltas))
	for i, d := range deltas {
		totals[i] = f.add(d)
	}
	return totals, f.flush()
}

// add adds d and returns its window's total. pre: f.mu held.
func (f *File) add(d budget.Delta) float64 {
	windows := f.doc.Spend[d.Subject]
	if windows == nil {
		windows = map[string]windowTotal{}
		f.doc.Spend[d.Subject] = windows
	}
	t := windows[d.Window.String()]
	switch {
	case d.Start.Before(t.Start):
		return d.USD // a window that has ended
	case d.Start.After(t.Start):
		t = windowTotal{Start: d.Start}
	}
	if d.USD != 0 {
		t.USD += d.USD
		f.dirty = true
	}
	windows[d.Window.String()] = t
	return t.USD
}

// Overrides implements Store.
func (f *File) Overrides(context.Context) (map[string]budget.Amounts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.doc.Budgets), nil
}

// SaveOverride implements budget.OverrideStore: the file is written
// before it returns.
func (f *File) SaveOverride(_ context.Context, tenant string, b *budget.Amounts) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b == nil {
		delete(f.doc.Budgets, tenant)
	} else {
		f.doc.Budgets[tenant] = *b
	}
	f.dirty = true
	return f.flush()
}

// Health implements Store: a file is always up.
func (f *File) Health() Health { return Health{Backend: "file", Where: f.path, Up: true} }

// Close implements Store: it writes the file if anything changed.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flush()
}

// flush writes the file if it changed, dropping the windows that ended.
// pre: f.mu held.
func (f *File) flush() error {
	if !f.dirty {
		return nil
	}
	f.prune(f.now())
	data, err := json.MarshalIndent(f.doc, "", "  ")
	if err == nil {
		err = writeAtomic(f.path, append(data, '\n'))
	}
	if err != nil {
		return fmt.Errorf("state: writing %s: %w", f.path, err)
	}
	f.dirty = false
	return nil
}

// prune drops the totals of windows that ended by now. pre: f.mu held.
func (f *File) prune(now time.Time) {
	for subject, windows := range f.doc.Spend {
		for name, t := range windows {
			if w, _ := budget.ParseWindow(name); !now.Before(w.End(t.Start)) {
				delete(windows, name)
			}
		}
		if len(windows) == 0 {
			delete(f.doc.Spend, subject)
		}
	}
}

// writeAtomic replaces the file at path with data: it writes a temporary
// file beside it, syncs it and renames it over path, so that a crash
// leaves the old file or the new one, never a part.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
