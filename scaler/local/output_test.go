package local

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordHandler is a slog.Handler that keeps each record as
// "msg key=value ...", attributes of With first.
type recordHandler struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
}

func newRecordHandler() *recordHandler {
	return &recordHandler{mu: new(sync.Mutex), lines: new([]string)}
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	parts := []string{r.Message}
	add := func(a slog.Attr) bool {
		parts = append(parts, a.Key+"="+a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.lines = append(*h.lines, strings.Join(parts, " "))
	return nil
}

func (h *recordHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *recordHandler) WithGroup(string) slog.Handler { return h }

func (h *recordHandler) records() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), *h.lines...)
}

func TestParseAnnounce(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    addrs
		wantErr bool
	}{
		{"both", `{"http":"127.0.0.1:8000","grpc":"127.0.0.1:8001"}`, addrs{HTTP: "127.0.0.1:8000", GRPC: "127.0.0.1:8001"}, false},
		{"unknown keys ignored", `{"http":"127.0.0.1:1","grpc":"[::1]:2","pid":7}`, addrs{HTTP: "127.0.0.1:1", GRPC: "[::1]:2"}, false},
		{"not json", `listening on :8000`, addrs{}, true},
		{"grpc missing", `{"http":"127.0.0.1:8000"}`, addrs{}, true},
		{"port zero", `{"http":"127.0.0.1:0","grpc":"127.0.0.1:1"}`, addrs{}, true},
		{"no host", `{"http":":80","grpc":"127.0.0.1:1"}`, addrs{}, true},
		{"no port", `{"http":"127.0.0.1","grpc":"127.0.0.1:1"}`, addrs{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAnnounce([]byte(tt.line))
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrAnnounce)) {
				t.Fatalf("parseAnnounce() error = %v, want error %v wrapping ErrAnnounce", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseAnnounce() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAnnouncer(t *testing.T) {
	tests := []struct {
		name    string
		writes  []string
		want    addrs
		wantErr bool
		logged  []string
	}{
		{
			name:   "line in pieces, then more output",
			writes: []string{`{"http":"127.0.0.1:5",`, `"grpc":"127.0.0.1:6"}` + "\nbye", "\n"},
			want:   addrs{HTTP: "127.0.0.1:5", GRPC: "127.0.0.1:6"},
			logged: []string{"worker output stream=stdout line=bye"},
		},
		{
			name:    "garbage first line",
			writes:  []string{"hello\nworld\n"},
			wantErr: true,
			logged:  []string{"worker output stream=stdout line=world"},
		},
		{
			name:    "endless first line",
			writes:  []string{strings.Repeat("x", maxLine), "x", "y\n"},
			wantErr: true,
			logged:  []string{"worker output stream=stdout line=y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newRecordHandler()
			a := newAnnouncer(newOutput(slog.New(h), slog.LevelDebug, 100, 100).writer("stdout"))
			for _, w := range tt.writes {
				if n, err := a.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v, want %d, nil", w, n, err, len(w))
				}
			}
			var got announcement
			select {
			case got = <-a.result:
			default:
				t.Fatal("no announcement sent")
			}
			if (got.err != nil) != tt.wantErr || got.addrs != tt.want {
				t.Errorf("announcement = %+v, want addrs %+v, error %v", got, tt.want, tt.wantErr)
			}
			if diff := cmp.Diff(tt.logged, h.records()); diff != "" {
				t.Errorf("logged mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineWriter(t *testing.T) {
	h := newRecordHandler()
	w := newOutput(slog.New(h).With("worker", "cpu-1"), slog.LevelDebug, 100, 100).writer("stderr")
	for _, s := range []string{"one\r\ntw", "o\n\nthr", "ee"} {
		w.Write([]byte(s))
	}
	w.Flush()
	w.Flush()
	w.Write([]byte(strings.Repeat("z", maxLine+1)))
	want := []string{
		"worker output worker=cpu-1 stream=stderr line=one",
		"worker output worker=cpu-1 stream=stderr line=two",
		"worker output worker=cpu-1 stream=stderr line=",
		"worker output worker=cpu-1 stream=stderr line=three",
		"worker output worker=cpu-1 stream=stderr line=" + strings.Repeat("z", maxLine+1),
	}
	if diff := cmp.Diff(want, h.records()); diff != "" {
		t.Errorf("logged mismatch (-want +got):\n%s", diff)
	}
}
