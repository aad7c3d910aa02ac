package state_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-gateway/sluice/budget"
	"github.com/sluice-gateway/sluice/state"
)

var t0 = time.Date(2030, 1, 31, 14, 30, 0, 0, time.UTC)

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func limits(hour, day, month float64) budget.Limits {
	return budget.Limits{Budget: budget.Amounts{hour, day, month}, SoftRatio: 0.8, FallbackRatio: 0.9}
}

// gateway is what one gateway process holds of the state: its book, its
// store and the keeper between them.
type gateway struct {
	book   *budget.Book
	keeper *state.Keeper
}

func newGateway(store state.Store, now func() time.Time) gateway {
	book := budget.NewBook(store)
	book.SetLimits(map[string]budget.Limits{"acme": limits(1, 10, 100)}, map[string]budget.Limits{"acme/k": limits(0, 1, 0)})
	return gateway{book: book, keeper: &state.Keeper{Book: book, Store: store, Now: now, Log: discard()}}
}

// TestFileKeepsSpendOverRestarts spends, stops (Run's last sync and
// Close) and starts again on the same file: the month's spend and the
// operator's budget are back, and the hour's spend is gone once the hour
// ended.
func TestFileKeepsSpendOverRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f, err := state.OpenFile(path, clock(t0), discard())
	if err != nil {
		t.Fatal(err)
	}
	g := newGateway(f, clock(t0))
	if err := g.keeper.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	g.book.Spend("acme", "acme/k", 0.75, t0)
	raised := budget.Amounts{2, 10, 100}
	if err := g.book.Override(context.Background(), "acme", &raised); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.keeper.Run(ctx, nil); err != nil {
		t.Fatal(err)
	}

	later := t0.Add(time.Hour) // a new hour, the same day and month
	f2, err := state.OpenFile(path, clock(later), discard())
	if err != nil {
		t.Fatal(err)
	}
	g2 := newGateway(f2, clock(later))
	if err := g2.keeper.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := g2.book.Tenants(later)[0]
	if rep.Spent != (budget.Amounts{0, 0.75, 0.75}) || rep.Budget != raised || !rep.Overridden {
		t.Errorf("after a restart: spent %v, budget %v (overridden %v); want [0 0.75 0.75], %v", rep.Spent, rep.Budget, rep.Overridden, raised)
	}
	if v, _ := g2.book.Check("acme", "acme/k", later); v.Subject != "key:acme/k" || v.Spent != 0.75 {
		t.Errorf("the key's spend after a restart: %+v", v)
	}
	leftovers, _ := filepath.Glob(path + ".tmp*")
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestFileCorrupt starts on files that are not state files: each is
// refused with a logged error naming it and the problem, kept aside, and
// the gateway starts with no spend — never an error or a crash.
func TestFileCorrupt(t *testing.T) {
	for _, tt := range []struct{ name, content, why string }{
		{"truncated", `{"version": 1, "spend": {"tenant:acme": {"per_hour": {"start": "2030-01-31T14`, "unexpected EOF"},
		{"not JSON", "\x00\x01garbage", "invalid character"},
		{"another version", `{"version": 7, "spend": {}}`, "version 7"},
		{"unknown window", `{"version": 1, "spend": {"tenant:acme": {"per_week": {"start": "2030-01-31T14:00:00Z", "usd": 1}}}}`, "per_week"},
		{"negative spend", `{"version": 1, "spend": {"tenant:acme": {"per_hour": {"start": "2030-01-31T14:00:00Z", "usd": -1}}}}`, "-1 USD"},
		{"unknown key", `{"version": 1, "spend": {}, "extra": true}`, "extra"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			f, err := state.OpenFile(path, clock(t0), slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatalf("OpenFile: %v", err)
			}
			for _, want := range []string{"level=ERROR", "state file refused", path, "corrupt state file", tt.why, "kept_as=" + path + ".corrupt"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log does not say %q:\n%s", want, logs.String())
				}
			}
			if kept, err := os.ReadFile(path + ".corrupt"); err != nil || string(kept) != tt.content {
				t.Errorf("the corrupt file was not kept aside: %v", err)
			}
			g := newGateway(f, clock(t0))
			if err := g.keeper.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			if v, _ := g.book.Check("acme", "", t0); v.Spent != 0 {
				t.Errorf("a fresh start spent %v", v.Spent)
			}
		})
	}
}

func TestFileUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory is no file to read
	if _, err := state.OpenFile(dir, clock(t0), discard()); err == nil || errors.Is(err, state.ErrCorrupt) {
		t.Errorf("OpenFile(a directory) = %v, want a read error", err)
	}
}
