package costreport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/costmodel"
)

const ms = time.Millisecond

// TestFromConfig prices a pool with a curve and one without: the second
// has an empty quote, shown as dashes.
func TestFromConfig(t *testing.T) {
	cfg, err := configs.Parse("c.yaml", []byte(`
models: [{name: m, tier: t, slo: 400ms}]
tiers: [{name: t, pools: [cpu, py]}]
pools:
  - {name: cpu, price_per_hour: 0.1, curve: {base: 20ms, per_item: 5ms}, max_batch: 8}
  - {name: py, price_per_hour: 0.2, max_batch: 8, endpoints: ["a:1"]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rows := FromConfig(cfg, 0)
	if len(rows) != 2 || rows[0].Batch != 8 || rows[0].SLO != 400*ms || rows[1].Batch != 0 || !rows[1].Line.IsZero() {
		t.Fatalf("rows %+v, want cpu at batch 8 and py without a quote", rows)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(strings.Split(b.String(), "\n")[2]); !cmp.Equal(got, []string{"py", "on-demand", "0.20", "400ms", "-", "-", "-", "-"}) {
		t.Errorf("py's line = %q", got)
	}
}

// TestFromPools prices each pool twice, with each curve, and writes JSON
// whose costs are null where there is no curve.
func TestFromPools(t *testing.T) {
	learned := costmodel.Curve{Base: 30 * ms, PerItem: 5 * ms}
	rows := FromPools([]Pool{{Name: "py", PricePerHour: 0.1, MaxBatch: 8, SLO: 500 * ms, Curve: Curves{Learned: learned}}}, 0)
	var b bytes.Buffer
	if err := WriteJSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	var got []JSONRow
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Curve != CurveConfigured || got[0].CostPerMillionFull != nil || got[0].Base != nil {
		t.Errorf("configured row %+v, want no cost and no curve", got[0])
	}
	if got[1].Curve != CurveLearned || got[1].Batch != 8 || got[1].CostPerMillionFull == nil || *got[1].Base != 30*ms {
		t.Errorf("learned row %+v, want batch 8 with a cost and base 30ms", got[1])
	}
}

// TestFetch reads the pools of an admin listener, with the token, and
// tells an unreachable listener from one that refuses.
func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`[{"name":"py","price_per_hour":0.1,"curve":{"learned":{"base":30000000,"per_item":5000000}},"ready":1}]`))
	}))
	defer srv.Close()
	ctx := context.Background()
	pools, err := Fetch(ctx, srv.Client(), strings.TrimPrefix(srv.URL, "http://"), "s3cret")
	if err != nil || len(pools) != 1 || pools[0].Curve.Learned.Base != 30*ms {
		t.Errorf("Fetch = %+v, %v; want py with its learned curve", pools, err)
	}
	if _, err := Fetch(ctx, srv.Client(), srv.URL, ""); !errors.Is(err, ErrRefused) {
		t.Errorf("Fetch without the token = %v, want ErrRefused", err)
	}
	srv.Close()
	if _, err := Fetch(ctx, http.DefaultClient, srv.URL, ""); !errors.Is(err, ErrUnreachable) {
		t.Errorf("Fetch of a closed listener = %v, want ErrUnreachable", err)
	}
}
