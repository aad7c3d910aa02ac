package local

import (
	"bytes"
	"fmt"
	"log/slog"
)

// maxLine caps one line of worker output; longer lines are cut in pieces.
const maxLine = 4 << 10

// lineWriter logs what a worker writes, one record per line. It is not safe
// for concurrent use: exec.Cmd writes each stream from one goroutine.
type lineWriter struct {
	log    *slog.Logger
	stream string // "stdout" or "stderr"
	buf    []byte
}

func newLineWriter(log *slog.Logger, stream string) *lineWriter {
	return &lineWriter{log: log, stream: stream}
}

// Write logs every complete line of b and keeps the rest for later. It
// never fails.
func (l *lineWriter) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) >= maxLine {
		l.Flush()
	}
	return len(b), nil
}

// Flush logs the partial line kept, if any.
func (l *lineWriter) Flush() {
	if len(l.buf) > 0 {
		l.emit(l.buf)
	}
	l.buf = nil
}

func (l *lineWriter) emit(line []byte) {
	line = bytes.TrimRight(line, "\r")
	// Workers log their own start and stop; the supervisor already logs
	// both, so their output matters only when debugging.
	l.log.Debug("worker output", "stream", l.stream, "line", string(line))
}

// announcement is the outcome of a worker's address line.
type announcement struct {
	addrs addrs
	err   error
}

// announcer is a worker's stdout: it decodes the first line as the
// worker's addresses, sends the outcome once on result, and hands
// everything after that line to rest. Like lineWriter, it is written from
// one goroutine.
type announcer struct {
	result chan announcement // buffered; receives exactly one value unless output stops early
	rest   *lineWriter
	line   []byte
	sent   bool
}

func newAnnouncer(rest *lineWriter) *announcer {
	return &announcer{result: make(chan announcement, 1), rest: rest}
}

// Write never fails.
func (a *announcer) Write(b []byte) (int, error) {
	n := len(b)
	if a.sent {
		return a.rest.Write(b)
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		a.line = append(a.line, b...)
		if len(a.line) > maxLine {
			a.send(announcement{err: fmt.Errorf("%w: first line longer than %d bytes", ErrAnnounce, maxLine)})
		}
		return n, nil
	}
	a.line = append(a.line, b[:i]...)
	addrs, err := parseAnnounce(bytes.TrimSpace(a.line))
	a.send(announcement{addrs: addrs, err: err})
	_, _ = a.rest.Write(b[i+1:])
	return n, nil
}

func (a *announcer) send(an announcement) {
	a.result <- an
	a.sent = true
	a.line = nil
}
