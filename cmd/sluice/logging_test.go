package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		json bool
		// logged are the levels that reach the output of one record at
		// each of debug, info, warn and error.
		logged []string
	}{
		{name: "defaults: text at info", logged: []string{"INFO", "WARN", "ERROR"}},
		{name: "json", args: []string{"--log-format", "json"}, json: true, logged: []string{"INFO", "WARN", "ERROR"}},
		{name: "text named", args: []string{"--log-format=text"}, logged: []string{"INFO", "WARN", "ERROR"}},
		{name: "debug", args: []string{"--log-level", "debug"}, logged: []string{"DEBUG", "INFO", "WARN", "ERROR"}},
		{name: "warn", args: []string{"--log-level", "warn"}, logged: []string{"WARN", "ERROR"}},
		{name: "error, upper case", args: []string{"--log-level", "ERROR"}, logged: []string{"ERROR"}},
		{name: "-v is debug", args: []string{"-v"}, logged: []string{"DEBUG", "INFO", "WARN", "ERROR"}},
		{name: "-v wins over a level", args: []string{"--log-level", "error", "-v"}, logged: []string{"DEBUG", "INFO", "WARN", "ERROR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			var f logFlags
			f.register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			log := f.logger(&out)
			log.Debug("d")
			log.Info("i")
			log.Warn("w")
			log.Error("e")
			if diff := cmp.Diff(tt.logged, loggedLevels(t, out.String(), tt.json)); diff != "" {
				t.Errorf("levels logged (-want +got):\n%s", diff)
			}
		})
	}
}

// loggedLevels returns the level of each record in out, text or JSON.
func loggedLevels(t *testing.T, out string, isJSON bool) []string {
	t.Helper()
	var levels []string
	for line := range strings.Lines(out) {
		if !isJSON {
			_, rest, _ := strings.Cut(line, "level=")
			level, _, _ := strings.Cut(rest, " ")
			levels = append(levels, level)
			continue
		}
		var rec struct{ Level string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q: %v", line, err)
		}
		levels = append(levels, rec.Level)
	}
	return levels
}

func TestLogFlagsRefuse(t *testing.T) {
	tests := []struct {
		name, want string
		args       []string
	}{
		{name: "format", args: []string{"--log-format", "xml"}, want: `sluice: log format "xml": want text or json`},
		{name: "level", args: []string{"--log-level", "loud"}, want: `invalid value "loud" for flag -log-level`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var f logFlags
			f.register(fs)
			if err := fs.Parse(tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestLogFlagsOnCommands checks that the commands that log take the log
// flags.
func TestLogFlagsOnCommands(t *testing.T) {
	cfg, err := parseWorkerFlags([]string{"--log-format", "json", "--log-level", "warn"}, io.Discard)
	if err != nil {
		t.Fatalf("worker: %v", err)
	}
	if want := (logFlags{Format: logJSON, Level: slog.LevelWarn}); cfg.logging != want {
		t.Errorf("worker's log flags %+v, want %+v", cfg.logging, want)
	}
	if code := runServe([]string{"--log-format", "xml"}); code != 2 {
		t.Errorf("serve --log-format xml: exit %d, want 2", code)
	}
}
