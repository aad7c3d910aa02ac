package kubernetes

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"go.uber.org/goleak"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// The tests run one real API server (kube-apiserver and etcd, through
// envtest) for the whole package. There is no controller-manager: a
// Deployment gets no pods and no status, and EndpointSlices exist only if a
// test creates them.
var (
	// testEnv is the running control plane; nil when the tests that need
	// it skip themselves (-short without KUBEBUILDER_ASSETS).
	testEnv *envtest.Environment
	// adminConfig reaches testEnv as a cluster admin.
	adminConfig *rest.Config
)

const assetsHelp = `kubernetes: these tests run a real API server and need KUBEBUILDER_ASSETS,
a folder holding kube-apiserver and etcd. Build it once with
	make kube-assets
and run with KUBEBUILDER_ASSETS=$PWD/.cache/kube-assets (make test does both),
or pass -short to skip the tests that need it.`

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		if testing.Short() {
			return m.Run()
		}
		fmt.Fprintln(os.Stderr, assetsHelp)
		return 1
	}
	quiet := logr.Discard()
	klog.SetLogger(quiet)
	ctrllog.SetLogger(quiet)
	env := &envtest.Environment{ControlPlaneStartTimeout: 2 * time.Minute}
	env.ControlPlane.GetAPIServer().Configure().Set("endpoint-reconciler-type", "none")
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubernetes: starting the API server: %v\n%s\n", err, assetsHelp)
		return 1
	}
	testEnv, adminConfig = env, cfg
	code := m.Run()
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "kubernetes: stopping the API server: %v\n", err)
		return 1
	}
	if err := goleak.Find(); code == 0 && err != nil {
		fmt.Fprintf(os.Stderr, "goleak: goroutines outlived the tests: %v\n", err)
		return 1
	}
	return code
}

// apiServer returns an admin config of the shared API server, skipping t in
// -short runs that have none.
func apiServer(t *testing.T) *rest.Config {
	t.Helper()
	if adminConfig == nil {
		t.Skip("no API server: -short without KUBEBUILDER_ASSETS")
	}
	return rest.CopyConfig(adminConfig)
}

// newClient returns a clientset of its own (own connections, own rate
// limiter) for cfg.
func newClient(t *testing.T, cfg *rest.Config) kubernetes.Interface {
	t.Helper()
	c, err := kubernetes.NewForConfig(rest.CopyConfig(cfg))
	if err != nil {
		t.Fatalf("kubernetes.NewForConfig: %v", err)
	}
	return c
}

// namespaces counts the namespaces the tests created, to keep their names
// unique across -count runs.
var namespaces atomic.Int32

// newNamespace creates a namespace named after t, so that tests sharing
// the API server never see each other's objects.
func newNamespace(t *testing.T, c kubernetes.Interface) string {
	t.Helper()
	name := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	suffix := fmt.Sprintf("-%d", namespaces.Add(1))
	name = strings.Trim(name[:min(len(name), 63-len(suffix))], "-") + suffix
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := c.CoreV1().Namespaces().Create(testContext(t), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	return name
}

// testContext returns a context that ends with t, bounded so that a stuck
// API call fails the test instead of hanging it.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 20ms until it holds, failing t after
// timeout. The API server and the Lease run on real time, so the tests
// that use them wait on it too, for as short as the server allows.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
