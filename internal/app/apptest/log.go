package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// Patience is how long a wait on a Log lasts before it fails the test:
// long enough for a loaded machine, since a wait returns as soon as its
// event is logged.
const Patience = 30 * time.Second

// Log keeps what Sluice logs as JSON — through Logger in this process, or
// written by `sluice serve --log-format json` — one record a line, so
// that a test can wait for an event and show the log when it fails.
// Lines that are not JSON are kept as text and match nothing. A Log is
// safe for concurrent use; its zero value is not usable (see NewLog).
type Log struct {
	mu      sync.Mutex
	text    bytes.Buffer
	partial []byte // the last line, until its newline arrives
	records []Record
	ended   bool
	grew    chan struct{} // closed and replaced when a record arrives or the log ends
}

// Record is one logged record as JSON decodes it: "msg", "level", "time"
// and the attributes, numbers as float64.
type Record map[string]any

// Time returns when the record was logged; zero if it does not say.
func (r Record) Time() time.Time {
	s, _ := r[slog.TimeKey].(string)
	at, _ := time.Parse(time.RFC3339Nano, s)
	return at
}

// NewLog returns an empty Log.
func NewLog() *Log { return &Log{grew: make(chan struct{})} }

// Logger returns a logger that writes to l as JSON from level up.
func (l *Log) Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: level}))
}

// Write keeps p; every complete line that is a JSON object becomes a
// Record. It never fails.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	l.partial = append(l.partial, p...)
	added := false
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		var r Record
		if json.Unmarshal(l.partial[:i], &r) == nil {
			l.records = append(l.records, r)
			added = true
		}
		l.partial = l.partial[i+1:]
	}
	if added {
		l.wake()
	}
	return len(p), nil
}

// End marks the log finished, as when the process writing it has exited:
// a wait for a record not yet logged then fails at once.
func (l *Log) End() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended = true
	l.wake()
}

// wake tells the waiters that the log changed. pre: l.mu held.
func (l *Log) wake() {
	close(l.grew)
	l.grew = make(chan struct{})
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// Next waits for the first record at position from or later (0 is the
// first record ever logged) whose message is msg and which has every
// attribute of attrs, given as key and value pairs and compared as
// fmt.Sprint prints them (so 2 matches the JSON number 2). It returns the
// record and the position after it, for the next wait. It fails t, with
// the log, when none comes within Patience or the log ends first.
func (l *Log) Next(t testing.TB, from int, msg string, attrs ...any) (Record, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	r, next, err := l.Await(ctx, from, msg, attrs...)
	if err != nil {
		t.Fatalf("no %q %v: %v; the log:\n%s", msg, attrs, err, l)
	}
	return r, next
}

// Await is Next for any goroutine: it waits until ctx ends, and returns
// ctx's error, or errEnded when the log ends, instead of failing a test.
// A record logged before ctx ended is found even if Await looks after.
func (l *Log) Await(ctx context.Context, from int, msg string, attrs ...any) (Record, int, error) {
	for {
		l.mu.Lock()
		for i := from; i < len(l.records); i++ {
			if r := l.records[i]; r.matches(msg, attrs) {
				l.mu.Unlock()
				return r, i + 1, nil
			}
		}
		from = len(l.records)
		grew, ended := l.grew, l.ended
		l.mu.Unlock()
		switch {
		case ended:
			return nil, from, errEnded
		case ctx.Err() != nil: // after a last look at the records
			return nil, from, ctx.Err()
		}
		select {
		case <-grew:
		case <-ctx.Done():
		}
	}
}

// errEnded is Await's error when the log ended without the record.
var errEnded = errors.New("the log ended")

// Len returns how many records the log holds: the position of the next
// one, for Next.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.records)
}

// Count returns how many records Next would match from position 0.
func (l *Log) Count(msg string, attrs ...any) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.matches(msg, attrs) {
			n++
		}
	}
	return n
}

// matches reports whether r has message msg and every key and value
// pair of attrs.
func (r Record) matches(msg string, attrs []any) bool {
	if r[slog.MessageKey] != msg {
		return false
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		v, ok := r[fmt.Sprint(attrs[i])]
		if !ok || fmt.Sprint(v) != fmt.Sprint(attrs[i+1]) {
			return false
		}
	}
	return true
}
