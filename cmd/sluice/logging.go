package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// logFormat is how log records are written: "text" (key=value pairs, the
// default) or "json" (one object per line). It is a flag.Value.
type logFormat string

// The log formats --log-format accepts.
const (
	logText logFormat = "text"
	logJSON logFormat = "json"
)

var _ flag.Value = (*logFormat)(nil)

// String implements flag.Value; the zero value reads as "text".
func (f *logFormat) String() string {
	if f == nil || *f == "" {
		return string(logText)
	}
	return string(*f)
}

// Set implements flag.Value. It fails for anything but "text" or "json".
func (f *logFormat) Set(s string) error {
	switch logFormat(s) {
	case logText, logJSON:
		*f = logFormat(s)
		return nil
	}
	return fmt.Errorf("sluice: log format %q: want text or json", s)
}

// logFlags are the flags that choose how a command logs. The zero value
// is their defaults: text at info.
type logFlags struct {
	// Format is --log-format.
	Format logFormat
	// Level is --log-level; Verbose is -v, which makes it debug.
	Level   slog.Level
	Verbose bool
}

// register adds --log-format, --log-level and -v (a synonym for
// --log-level debug, which wins over --log-level) to fs, setting f when
// fs is parsed.
func (f *logFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.Format, "log-format", "log record `format`: text or json")
	fs.TextVar(&f.Level, "log-level", f.Level, "least `level` logged: debug, info, warn or error")
	fs.BoolVar(&f.Verbose, "v", f.Verbose, "log debug detail (same as --log-level debug)")
}

// logger returns a logger writing to w as the flags say.
func (f logFlags) logger(w io.Writer) *slog.Logger {
	level := f.Level
	if f.Verbose {
		level = slog.LevelDebug
	}
	return slog.New(newLogHandler(w, f.Format, level))
}

// newLogHandler is the one place Sluice's commands build a slog handler:
// records at level or above are written to w as format says (text for
// any format but json). The handler is safe for concurrent use, as w
// must be for single writes.
func newLogHandler(w io.Writer, format logFormat, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	if format == logJSON {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}
