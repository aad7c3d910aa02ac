package apptest

import (
	"log/slog"
	"runtime"
	"testing"
)

func TestLogNext(t *testing.T) {
	l := NewLog()
	log := l.Logger(slog.LevelInfo)
	log.Info("pool workers changed", "pool", "cpu", "ready", 1)
	log.Debug("not kept")
	_, _ = l.Write([]byte("a line that is not JSON\n{\"msg\":\"split"))
	_, _ = l.Write([]byte("\",\"n\":2}\n"))
	go log.Info("pool workers changed", "pool", "cpu", "ready", 2) // before or while Next waits
	r, next := l.Next(t, 0, "pool workers changed", "pool", "cpu", "ready", 2)
	if next != 3 || r.Time().IsZero() {
		t.Errorf("Next = %v at %d, want the third record, with its time", r, next)
	}
	if _, next = l.Next(t, 0, "split", "n", 2); next != 2 {
		t.Errorf("a record written in two parts is at %d, want 2", next)
	}
	if got := l.Count("pool workers changed", "pool", "cpu"); got != 2 {
		t.Errorf("Count = %d, want 2", got)
	}
}

func TestLogEnded(t *testing.T) {
	l := NewLog()
	l.End()
	ft := &fatalT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Next(ft, 0, "never")
	}()
	<-done
	if !ft.failed {
		t.Error("Next on an ended log without the record did not fail")
	}
}

// fatalT records a Fatal and ends its goroutine, as testing.T does.
type fatalT struct {
	testing.TB
	failed bool
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
