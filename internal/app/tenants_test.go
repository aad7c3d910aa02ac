package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/sluice-gateway/sluice/configs"
)

// testTenancy starts the tenancy of cfg with its state file in a
// temporary directory, stopped when the test ends. cfg is not modified.
func testTenancy(t *testing.T, cfg *configs.Config) *tenancy {
	t.Helper()
	c := *cfg
	c.State.File = filepath.Join(t.TempDir(), "state.json")
	tn, stop, err := startTenancy(context.Background(), &c, configs.Secrets{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return tn
}
