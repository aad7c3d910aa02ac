package app

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/gateway"
	"github.com/sluice-gateway/sluice/internal/app/apptest"
	"github.com/sluice-gateway/sluice/router"
)

// Where the shipped dashboards and manifests live.
const (
	grafanaDashboard = "../../configs/grafana/sluice.json"
	kubeManifests    = "../../configs/kubernetes"
	benchFleet       = "../../configs/bench.yaml"
)

// exportedMetrics builds the registry serve builds, over bench.yaml's
// fleet with fakes for the driver and the admission, and returns the name
// of every metric it describes, whether it has samples yet or not.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	cfg, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newServeMetrics()
	if err != nil {
		t.Fatal(err)
	}
	rc := RouterConfig(cfg)
	m.instrument(&rc)
	rt, err := router.New(rc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	if err := m.watch(rt, &gateway.TenantCounters{}, testTenancy(t, cfg)); err != nil {
		t.Fatal(err)
	}
	driver := &fakeDriver{replicas: map[string][2]int{}}
	now := func() time.Time { return apptest.Epoch }
	if _, err := newScaling(currentOf(cfg), rt, driver, &fakeAdmission{}, m.reg, now, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return describedNames(m.reg)
}

// fqName reads a metric's name out of a Desc's description.
var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// describedNames returns the names of the metrics c describes.
func describedNames(c prometheus.Collector) map[string]bool {
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	names := map[string]bool{}
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
		}
	}
	return names
}

// metricName matches the names of Sluice's metrics in any text, such as
// a PromQL expression.
var metricName = regexp.MustCompile(`\bsluice_[a-z0-9_]+`)

// exported reports whether name is a metric of names or one of the series
// a histogram or summary of names exposes.
func exported(names map[string]bool, name string) bool {
	if names[name] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && names[base] {
			return true
		}
	}
	return false
}

// metricsIn returns the sluice_* names in every string of v, a decoded
// JSON or YAML value, sorted and without repeats.
func metricsIn(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, metricName.FindAllString(v, -1)...)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// manifestFiles returns the dashboard and every YAML file under the
// Kubernetes manifests, in subfolders too.
func manifestFiles(t *testing.T) []string {
	t.Helper()
	files := []string{grafanaDashboard}
	err := filepath.WalkDir(kubeManifests, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// decodeFile decodes a JSON file into one value, or a YAML file into one
// value per document; a string that is itself a YAML mapping (a
// ConfigMap's file) is decoded too and kept beside it.
func decodeFile(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return []any{v}
	}
	var out []any
	for i, doc := range yamlDocuments(data) {
		var v map[string]any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		out = append(out, v)
		out = append(out, embeddedYAML(t, path, v)...)
	}
	return out
}

// yamlDocuments splits a YAML stream at its "---" lines, dropping
// documents that hold only comments.
func yamlDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		for _, line := range strings.Split(doc, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
				docs = append(docs, []byte(doc))
				break
			}
		}
	}
	return docs
}

// embeddedYAML decodes the files of a ConfigMap's data.
func embeddedYAML(t *testing.T, path string, doc map[string]any) []any {
	t.Helper()
	data, _ := doc["data"].(map[string]any)
	var out []any
	for name, v := range data {
		s, _ := v.(string)
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		var file map[string]any
		if err := yaml.Unmarshal([]byte(s), &file); err != nil {
			t.Fatalf("%s: data %s: %v", path, name, err)
		}
		out = append(out, file)
	}
	return out
}

// TestManifestsNameExportedMetrics checks that every sluice_* metric the
// dashboard and the Kubernetes manifests name is one Sluice exports, as
// a live registry describes them.
func TestManifestsNameExportedMetrics(t *testing.T) {
	names := exportedMetrics(t)
	if !names["sluice_requests_total"] || !names["sluice_pool_queue_length_per_replica"] {
		t.Fatalf("the registry describes %d metrics, not Sluice's own: %v", len(names), names)
	}
	for _, file := range manifestFiles(t) {
		t.Run(strings.TrimPrefix(file, "../../"), func(t *testing.T) {
			for _, name := range metricsIn(decodeFile(t, file)) {
				if !exported(names, name) {
					t.Errorf("names %s, which Sluice does not export", name)
				}
			}
		})
	}
}

// TestDashboard checks that every panel of the dashboard queries, and
// that together they cover the metrics the operators watch.
func TestDashboard(t *testing.T) {
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			ID      int    `json:"id"`
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	data, err := os.ReadFile(grafanaDashboard)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	ids := map[int]bool{}
	var queried []string
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q reuses id %d", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			queried = append(queried, metricName.FindAllString(q.Expr, -1)...)
		}
	}
	for _, want := range []string{
		"sluice_requests_total", "sluice_request_duration_seconds_bucket", "sluice_queue_wait_seconds_bucket",
		"sluice_batch_size_rows_bucket", "sluice_queue_length", "sluice_requests_in_flight",
		"sluice_pool_busy_seconds_total", "sluice_worker_inference_duration_seconds_sum",
		"sluice_pool_desired_replicas", "sluice_pool_ready_replicas", "sluice_pool_starting_replicas",
		"sluice_pool_cost_usd_per_hour", "sluice_fleet_cost_usd_per_hour", "sluice_cost_per_million_inferences_usd",
		"sluice_budget_used_ratio", "sluice_rejections_total", "sluice_spot_interruptions_total",
		"sluice_retries_total", "sluice_scaler_changes_total", "sluice_tenant_requests_total", "sluice_tenant_cost_usd_total",
	} {
		if !slices.Contains(queried, want) {
			t.Errorf("no panel queries %s", want)
		}
	}
}

// TestAdapterServesTheScalingGauges checks that prometheus-adapter's rules
// serve the two gauges an HPA scales on, and that the HPAs scale on them.
func TestAdapterServesTheScalingGauges(t *testing.T) {
	var served []string
	for _, v := range decodeFile(t, filepath.Join(kubeManifests, "hpa", "prometheus-adapter.yaml")) {
		var cfg struct {
			ExternalRules []struct {
				Name struct {
					As string `yaml:"as"`
				} `yaml:"name"`
			} `yaml:"externalRules"`
		}
		if b, err := yaml.Marshal(v); err == nil && yaml.Unmarshal(b, &cfg) == nil {
			for _, r := range cfg.ExternalRules {
				served = append(served, r.Name.As)
			}
		}
	}
	want := []string{"sluice_pool_queue_length_per_replica", "sluice_pool_cost_per_replica_usd_per_hour"}
	if diff := cmp.Diff(want, served); diff != "" {
		t.Errorf("external metrics the adapter serves (-want +got):\n%s", diff)
	}
	hpa := metricsIn(decodeFile(t, filepath.Join(kubeManifests, "hpa", "hpa.yaml")))
	for _, name := range hpa {
		if !slices.Contains(served, name) {
			t.Errorf("an HPA scales on %s, which the adapter does not serve", name)
		}
	}
	if len(hpa) == 0 {
		t.Error("the HPAs name no metric")
	}
}
