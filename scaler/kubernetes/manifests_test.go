package kubernetes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// manifestDir holds the example manifests, in the order they apply.
const manifestDir = "../../configs/kubernetes"

// manifest is one YAML document of the example manifests.
type manifest struct {
	file string
	doc  []byte
}

func readManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (err %v)", manifestDir, err)
	}
	var out []manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(bytes.TrimSpace(doc)) > 0 {
				out = append(out, manifest{file: filepath.Base(f), doc: doc})
			}
		}
	}
	return out
}

// decodeManifests decodes every document strictly (unknown or duplicate
// fields fail) into client-go's typed objects.
func decodeManifests(t *testing.T) []runtime.Object {
	t.Helper()
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var objs []runtime.Object
	for _, m := range readManifests(t) {
		obj, _, err := decoder.Decode(m.doc, nil, nil)
		if err != nil {
			t.Fatalf("%s: decode: %v", m.file, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

// TestManifestsDecode checks that the example manifests decode strictly
// and hold the objects the driver's defaults expect.
func TestManifestsDecode(t *testing.T) {
	var got []string
	for _, obj := range decodeManifests(t) {
		meta := obj.(metav1.Object)
		kind := obj.GetObjectKind().GroupVersionKind().Kind
		got = append(got, kind+" "+meta.GetNamespace()+"/"+meta.GetName())
	}
	want := []string{
		"Namespace /sluice",
		"ServiceAccount sluice/sluice-gateway",
		"Role sluice/sluice-gateway",
		"RoleBinding sluice/sluice-gateway",
		"ConfigMap sluice/sluice-config",
		"Deployment sluice/sluice-gateway",
		"Service sluice/sluice",
		"Deployment sluice/sluice-cpu-small",
		"Service sluice/sluice-cpu-small",
		"Deployment sluice/sluice-cpu-large",
		"Service sluice/sluice-cpu-large",
		"Deployment sluice/sluice-gpu-spot",
		"Service sluice/sluice-gpu-spot",
		"Deployment sluice/sluice-gpu-ondemand",
		"Service sluice/sluice-gpu-ondemand",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects in %s (-want +got):\n%s", manifestDir, diff)
	}
}

// TestManifestsPools checks each worker pool's pair: the Service the
// driver reads has the Deployment's name, selects its pods, and names the
// worker's ports as the driver expects.
func TestManifestsPools(t *testing.T) {
	deps, svcs := map[string]*appsv1.Deployment{}, map[string]*corev1.Service{}
	for _, obj := range decodeManifests(t) {
		switch o := obj.(type) {
		case *appsv1.Deployment:
			deps[o.Name] = o
		case *corev1.Service:
			svcs[o.Name] = o
		}
	}
	for _, pool := range []string{"cpu-small", "cpu-large", "gpu-spot", "gpu-ondemand"} {
		t.Run(pool, func(t *testing.T) {
			name := DefaultPrefix + pool
			dep, svc := deps[name], svcs[name]
			if dep == nil || svc == nil {
				t.Fatalf("pool %q: Deployment %v, Service %v; want both named %s", pool, dep != nil, svc != nil, name)
			}
			labels := dep.Spec.Template.Labels
			for k, v := range svc.Spec.Selector {
				if labels[k] != v {
					t.Errorf("Service selects %s=%s, pod template has %q", k, v, labels[k])
				}
			}
			ports := map[string]intstr.IntOrString{}
			for _, p := range svc.Spec.Ports {
				ports[p.Name] = p.TargetPort
			}
			for _, want := range []string{DefaultHTTPPort, DefaultGRPCPort} {
				if tp, ok := ports[want]; !ok || !hasContainerPort(dep, tp.StrVal) {
					t.Errorf("Service port %q missing or not a named container port (target %v)", want, tp)
				}
			}
		})
	}
}

func hasContainerPort(dep *appsv1.Deployment, name string) bool {
	for _, c := range dep.Spec.Template.Spec.Containers {
		if slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == name }) {
			return true
		}
	}
	return false
}

// applyManifests creates every example object on the API server with
// strict server-side field validation; objects that exist already (from
// an earlier -count run) are left as they are.
func applyManifests(t *testing.T, admin kubernetes.Interface, dyn dynamic.Interface) {
	t.Helper()
	groups, err := restmapper.GetAPIGroupResources(admin.Discovery())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	for _, m := range readManifests(t) {
		obj := &unstructured.Unstructured{}
		json, err := k8syaml.ToJSON(m.doc)
		if err == nil {
			err = obj.UnmarshalJSON(json)
		}
		if err != nil {
			t.Fatalf("%s: %v", m.file, err)
		}
		gvk := obj.GroupVersionKind()
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatalf("%s: %s: %v", m.file, gvk, err)
		}
		_, err = dyn.Resource(mapping.Resource).Namespace(obj.GetNamespace()).Create(testContext(t), obj,
			metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Errorf("%s: create %s %s: %v", m.file, gvk.Kind, obj.GetName(), err)
		}
	}
}

// TestManifestsOnAPIServer creates the example manifests on the real API
// server, then acts as the gateway's ServiceAccount: the Role must allow
// everything the driver and the elector do, and no more than that.
func TestManifestsOnAPIServer(t *testing.T) {
	cfg := apiServer(t)
	admin := newClient(t, cfg)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("dynamic.NewForConfig: %v", err)
	}
	applyManifests(t, admin, dyn)

	user, err := testEnv.ControlPlane.AddUser(envtest.User{
		Name:   "system:serviceaccount:sluice:sluice-gateway",
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:sluice", "system:authenticated"},
	}, nil)
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	gateway := newClient(t, user.Config())
	d := newDriver(t, gateway, Options{Namespace: "sluice"})
	if err := d.SetReplicas(testContext(t), "gpu-spot", 2); err != nil {
		t.Errorf("SetReplicas as the gateway: %v", err)
	}
	if _, _, err := d.Replicas(testContext(t), "gpu-spot"); err != nil {
		t.Errorf("Replicas as the gateway: %v", err)
	}
	if _, err := d.Endpoints(testContext(t), "gpu-spot"); err != nil {
		t.Errorf("Endpoints as the gateway: %v", err)
	}
	checkElects(t, gateway)
	err = gateway.AppsV1().Deployments("sluice").Delete(testContext(t), "sluice-gpu-spot", metav1.DeleteOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("deleting a Deployment as the gateway = %v, want Forbidden", err)
	}
}

// checkElects runs an Elector with client until it leads.
func checkElects(t *testing.T, client kubernetes.Interface) {
	t.Helper()
	e, err := NewElector(client, ElectorOptions{
		Namespace: "sluice", Identity: "sluice-gateway-0",
		LeaseDuration: testLeaseDuration, RenewDeadline: testRenewDeadline, RetryPeriod: testRetryPeriod,
	})
	if err != nil {
		t.Fatalf("NewElector: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	eventually(t, 15*time.Second, "the gateway's ServiceAccount takes the Lease", e.IsLeader)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
