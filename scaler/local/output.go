package local

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// maxLine caps one line of worker output; longer lines are cut in pieces.
const maxLine = 4 << 10

// output logs the lines one process writes, on both its streams, at one
// level and at most at a rate: a replica that floods its output must not
// flood the gateway's log. Lines over the rate are dropped and counted,
// and the count is logged with the next line let through, and when the
// process ends. It is safe for concurrent use.
type output struct {
	log     *slog.Logger
	level   slog.Level
	limit   *rate.Limiter
	dropped atomic.Int64
}

// newOutput returns the output of a process logged to log at level, at
// most perSecond lines a second with bursts of burst.
func newOutput(log *slog.Logger, level slog.Level, perSecond float64, burst int) *output {
	return &output{log: log, level: level, limit: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// writer returns the writer of one of the process's streams.
func (o *output) writer(stream string) *lineWriter {
	return &lineWriter{out: o, stream: stream}
}

// line logs one line of stream, or counts it as dropped.
func (o *output) line(stream string, line []byte) {
	if !o.limit.Allow() {
		o.dropped.Add(1)
		return
	}
	o.reportDropped()
	o.log.Log(context.Background(), o.level, "worker output", "stream", stream, "line", string(line))
}

// reportDropped logs how many lines were dropped since the last report,
// if any.
func (o *output) reportDropped() {
	if n := o.dropped.Swap(0); n > 0 {
		o.log.Warn("worker output over its rate limit; lines dropped", "lines", n)
	}
}

// close reports the lines dropped and not yet reported.
func (o *output) close() { o.reportDropped() }

// lineWriter logs what a worker writes on one stream, one record per line.
// It is not safe for concurrent use: exec.Cmd writes each stream from one
// goroutine.
type lineWriter struct {
	out    *output
	stream string // "stdout" or "stderr"
	buf    []byte
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
	l.out.line(l.stream, bytes.TrimRight(line, "\r"))
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
