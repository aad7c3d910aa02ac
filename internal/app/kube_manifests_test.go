package app

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/sluice-gateway/sluice/configs"
)

// kubeObject is the part of a Kubernetes object these tests read.
type kubeObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec struct {
				Containers []struct {
					Args []string `yaml:"args"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Name string `yaml:"name"`
			Port int    `yaml:"port"`
		} `yaml:"ports"`
		// HorizontalPodAutoscaler and ScaledObject.
		ScaleTargetRef struct {
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas     int `yaml:"minReplicas"`
		MaxReplicas     int `yaml:"maxReplicas"`
		MinReplicaCount int `yaml:"minReplicaCount"`
		MaxReplicaCount int `yaml:"maxReplicaCount"`
		Metrics         []struct {
			External struct {
				Metric struct {
					Selector struct {
						MatchLabels map[string]string `yaml:"matchLabels"`
					} `yaml:"selector"`
				} `yaml:"metric"`
			} `yaml:"external"`
		} `yaml:"metrics"`
		Triggers []struct {
			Type     string            `yaml:"type"`
			Metadata map[string]string `yaml:"metadata"`
		} `yaml:"triggers"`
	} `yaml:"spec"`
}

// kubeObjects reads the objects of the manifest file name (under
// configs/kubernetes), by kind and name.
func kubeObjects(t *testing.T, name string) map[string]kubeObject {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(kubeManifests, name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kubeObject{}
	for i, doc := range yamlDocuments(data) {
		var o kubeObject
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatalf("%s: document %d: %v", name, i, err)
		}
		out[o.Kind+" "+o.Metadata.Name] = o
	}
	return out
}

// flagValues returns the --name=value arguments of args by name.
func flagValues(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if name, v, ok := strings.Cut(strings.TrimPrefix(a, "--"), "="); ok && strings.HasPrefix(a, "--") {
			out[name] = v
		}
	}
	return out
}

// sameValue reports whether two flag values are equal, as durations when
// both are.
func sameValue(a, b string) bool {
	da, errA := time.ParseDuration(a)
	db, errB := time.ParseDuration(b)
	if errA == nil && errB == nil {
		return da == db
	}
	return a == b
}

// TestKubePoolsMatchBench checks that pools.yaml runs each pool of
// configs/bench.yaml as a Deployment and a headless Service, its workers
// started with the flags the local driver gives them, at its initial size.
func TestKubePoolsMatchBench(t *testing.T) {
	cfg, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	objs := kubeObjects(t, "pools.yaml")
	if got, want := len(objs), 2*len(cfg.Pools); got != want {
		t.Errorf("pools.yaml has %d objects, want a Deployment and a Service for each of %d pools", got, len(cfg.Pools))
	}
	for _, p := range cfg.Pools {
		t.Run(p.Name, func(t *testing.T) {
			dep, ok := objs["Deployment sluice-"+p.Name]
			if _, svc := objs["Service sluice-"+p.Name]; !ok || !svc || len(dep.Spec.Template.Spec.Containers) != 1 {
				t.Fatalf("no Deployment of one container and Service named sluice-%s", p.Name)
			}
			if dep.Spec.Replicas != p.Replicas.Initial {
				t.Errorf("replicas %d, want the initial %d", dep.Spec.Replicas, p.Replicas.Initial)
			}
			flags := flagValues(dep.Spec.Template.Spec.Containers[0].Args)
			if flags["name"] != p.Name {
				t.Errorf("worker --name=%s, want %s", flags["name"], p.Name)
			}
			want := workerArgs(p.CostModel())
			for i := 0; i+1 < len(want); i += 2 {
				name := strings.TrimPrefix(want[i], "--")
				if got, ok := flags[name]; !ok || !sameValue(got, want[i+1]) {
					t.Errorf("worker --%s=%s, want %s", name, got, want[i+1])
				}
			}
		})
	}
}

// TestKubeGatewayRunsBench checks that the gateway's ConfigMap holds
// bench.yaml's models, tiers, routes, pools and budget, scaling through the
// Kubernetes driver, and that its Deployment and Service exist.
func TestKubeGatewayRunsBench(t *testing.T) {
	bench, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	objs := kubeObjects(t, "gateway.yaml")
	for _, want := range []string{"Deployment sluice-gateway", "Service sluice", "ConfigMap sluice-config"} {
		if _, ok := objs[want]; !ok {
			t.Errorf("gateway.yaml has no %s", want)
		}
	}
	cfg, err := configs.Parse("sluice.yaml", []byte(objs["ConfigMap sluice-config"].Data["sluice.yaml"]))
	if err != nil {
		t.Fatalf("sluice-config: %v", err)
	}
	type fleet struct {
		Models []configs.Model
		Tiers  []configs.Tier
		Routes []configs.Route
		Pools  []configs.Pool
		Budget configs.Budget
	}
	want := fleet{bench.Models, bench.Tiers, bench.Routes, bench.Pools, bench.Budget}
	got := fleet{cfg.Models, cfg.Tiers, cfg.Routes, cfg.Pools, cfg.Budget}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sluice-config's fleet, against bench.yaml's (-want +got):\n%s", diff)
	}
	if cfg.Scaler.Driver != configs.DriverKubernetes {
		t.Errorf("scaler.driver %q, want %q", cfg.Scaler.Driver, configs.DriverKubernetes)
	}
}

// TestKubeAutoscalersCoverBench checks that the HPAs and the KEDA
// ScaledObjects each size one Deployment of the pools, within its bounds,
// on that pool's signal, and that KEDA calls the gateway's gRPC port.
func TestKubeAutoscalersCoverBench(t *testing.T) {
	cfg, err := configs.Load(benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	grpcPort := ""
	for _, p := range kubeObjects(t, "gateway.yaml")["Service sluice"].Spec.Ports {
		if p.Name == "grpc" {
			grpcPort = strconv.Itoa(p.Port)
		}
	}
	hpas, keda := kubeObjects(t, "hpa/hpa.yaml"), kubeObjects(t, "keda/scaledobjects.yaml")
	if len(hpas) != len(cfg.Pools) || len(keda) != len(cfg.Pools) {
		t.Errorf("%d HPAs and %d ScaledObjects, want one each per pool (%d)", len(hpas), len(keda), len(cfg.Pools))
	}
	for _, p := range cfg.Pools {
		t.Run(p.Name, func(t *testing.T) {
			name := "sluice-" + p.Name
			h := hpas["HorizontalPodAutoscaler "+name]
			if h.Spec.ScaleTargetRef.Name != name || h.Spec.MaxReplicas != p.Replicas.Max || h.Spec.MinReplicas != max(p.Replicas.Min, 1) {
				t.Errorf("HPA targets %q within [%d, %d], want %s within [%d, %d]", h.Spec.ScaleTargetRef.Name,
					h.Spec.MinReplicas, h.Spec.MaxReplicas, name, max(p.Replicas.Min, 1), p.Replicas.Max)
			}
			for _, m := range h.Spec.Metrics {
				if pool := m.External.Metric.Selector.MatchLabels["pool"]; pool != p.Name {
					t.Errorf("HPA selects the metric of pool %q", pool)
				}
			}
			k := keda["ScaledObject "+name]
			if k.Spec.ScaleTargetRef.Name != name || k.Spec.MinReplicaCount != p.Replicas.Min || k.Spec.MaxReplicaCount != p.Replicas.Max {
				t.Errorf("ScaledObject targets %q within [%d, %d], want %s within [%d, %d]", k.Spec.ScaleTargetRef.Name,
					k.Spec.MinReplicaCount, k.Spec.MaxReplicaCount, name, p.Replicas.Min, p.Replicas.Max)
			}
			if len(k.Spec.Triggers) != 1 {
				t.Fatalf("ScaledObject has %d triggers, want 1", len(k.Spec.Triggers))
			}
			tr := k.Spec.Triggers[0]
			_, port, _ := net.SplitHostPort(tr.Metadata["scalerAddress"])
			if tr.Type != "external-push" || tr.Metadata["pool"] != p.Name || port != grpcPort {
				t.Errorf("trigger %s for pool %q at port %q, want external-push for %q at the gateway's gRPC port %q",
					tr.Type, tr.Metadata["pool"], port, p.Name, grpcPort)
			}
		})
	}
}
