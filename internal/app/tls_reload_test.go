package app

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/internal/app/apptest"
)

// TestCertReloader rotates a certificate under a reloader on a fake clock
// and checks, step by step, which certificate it serves and whether it
// looked at the files.
func TestCertReloader(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	certFile, keyFile := ca.issue(t, dir, "server", 1)
	mod := time.Now()
	touch(t, certFile, mod)
	clock := apptest.NewClock()
	var logs bytes.Buffer
	r, err := newCertReloader(certFile, keyFile, clock.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	stats := 0
	r.stat = func(name string) (fs.FileInfo, error) { stats++; return os.Stat(name) }
	rotate := func(serial int64) func() {
		return func() {
			mod = mod.Add(time.Minute)
			c, k := ca.issue(t, dir, "next", serial)
			for _, mv := range [][2]string{{c, certFile}, {k, keyFile}} {
				if err := os.Rename(mv[0], mv[1]); err != nil {
					t.Fatal(err)
				}
				touch(t, mv[1], mod)
			}
		}
	}
	breakKey := func() {
		mod = mod.Add(time.Minute)
		writeTestFile(t, keyFile, []byte("not a key"))
		touch(t, keyFile, mod)
	}
	steps := []struct {
		name       string
		change     func()
		advance    time.Duration
		wantSerial int64
		wantLook   bool
		wantLog    string
	}{
		{name: "first certificate", wantSerial: 1},
		{name: "rotated, but checked less than a second ago", change: rotate(2), advance: 999 * time.Millisecond, wantSerial: 1},
		{name: "a second after the last check", advance: time.Millisecond, wantSerial: 2, wantLook: true, wantLog: "certificate reloaded"},
		{name: "unchanged files are not reloaded", advance: time.Second, wantSerial: 2, wantLook: true},
		{name: "a broken key keeps the previous certificate", change: breakKey, advance: time.Second, wantSerial: 2, wantLook: true,
			wantLog: "does not load; keeping the previous one"},
		{name: "a fixed pair is picked up", change: rotate(3), advance: time.Second, wantSerial: 3, wantLook: true},
		{name: "a clock gone back looks again", change: rotate(4), advance: -time.Hour, wantSerial: 4, wantLook: true},
	}
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		clock.Advance(s.advance)
		logs.Reset()
		before := stats
		cert, err := r.GetCertificate(nil)
		if err != nil || cert == nil || cert.Leaf == nil {
			t.Fatalf("%s: GetCertificate = %v, %v", s.name, cert, err)
		}
		if got := cert.Leaf.SerialNumber.Int64(); got != s.wantSerial {
			t.Errorf("%s: serving serial %d, want %d", s.name, got, s.wantSerial)
		}
		if looked := stats > before; looked != s.wantLook {
			t.Errorf("%s: looked at the files: %v, want %v", s.name, looked, s.wantLook)
		}
		if !strings.Contains(logs.String(), s.wantLog) {
			t.Errorf("%s: log %q does not contain %q", s.name, logs.String(), s.wantLog)
		}
	}
}

func TestNewCertReloaderErrors(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, dir, "ca")
	certFile, keyFile := ca.issue(t, dir, "server", 1)
	_, otherKey := ca.issue(t, dir, "other", 2)
	tests := []struct {
		name, cert, key, want string
	}{
		{"missing certificate", filepath.Join(dir, "absent.pem"), keyFile, "absent.pem"},
		{"key of another certificate", certFile, otherKey, "private key does not match public key"},
		{"a CA file is no key", certFile, ca.file, "loading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newCertReloader(tt.cert, tt.key, time.Now, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newCertReloader error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
