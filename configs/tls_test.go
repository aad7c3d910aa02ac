package configs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tlsBad lists the tls sections' bad files and their problems, in order.
var tlsBad = []badCase{
	{"tls", []string{
		"tls.bad.yaml:4: tls.cert_file: is required",
		"tls.bad.yaml:4: tls.key_file: is required",
		"tls.bad.yaml:6: workers_tls: cert_file and key_file go together: set both or neither",
		`tls.bad.yaml:6: workers_tls: local workers (scaler.driver "local") serve plaintext on loopback`,
	}},
}

func TestTLSBad(t *testing.T) { loadBad(t, tlsBad) }

// TestSecurityGood loads a file that sets every limit and security key.
func TestSecurityGood(t *testing.T) {
	cfg, err := Load("testdata/security.good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type section struct {
		Listen     Listen
		Admin      Admin
		TLS        *TLS
		WorkersTLS *WorkersTLS
		Limits     Limits
	}
	want := section{
		Listen: Listen{HTTP: "0.0.0.0:8443", GRPC: "0.0.0.0:8444", Admin: "0.0.0.0:9090"},
		Admin:  Admin{TokenSHA256Env: "SLUICE_ADMIN_TOKEN_SHA256", AllowedHosts: []string{"sluice-admin.example", "10.0.0.7:9090"}},
		TLS:    &TLS{CertFile: "certs/gateway.pem", KeyFile: "certs/gateway-key.pem", ClientCAFile: "certs/clients-ca.pem"},
		WorkersTLS: &WorkersTLS{CAFile: "certs/workers-ca.pem", CertFile: "certs/router.pem", KeyFile: "certs/router-key.pem",
			ServerName: "workers.sluice.internal"},
		Limits: Limits{MaxBodyBytes: 1 << 20, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second,
			MaxConcurrentStreams: 100, MaxDeadline: time.Minute, MaxJSONDepth: 8, MaxTensorElements: 65536,
			BodyTimeout: 20 * time.Second, WriteTimeout: 15 * time.Second, MaxConnections: 512, MaxInFlight: 256,
			MaxBodyBytesInFlight: 64 << 20, MemoryLimit: 512 << 20},
	}
	got := section{cfg.Listen, cfg.Admin, cfg.TLS, cfg.WorkersTLS, cfg.Limits}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("security sections (-want +got):\n%s", diff)
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		name, file, path, want string
	}{
		{"relative to the config's folder", "conf/sluice.yaml", "certs/a.pem", "conf/certs/a.pem"},
		{"absolute kept", "conf/sluice.yaml", "/etc/a.pem", "/etc/a.pem"},
		{"no config file", "", "a.pem", "a.pem"},
		{"empty stays empty", "conf/sluice.yaml", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{File: tt.file}
			if got := cfg.Path(tt.path); got != tt.want {
				t.Errorf("Path(%q) with file %q = %q, want %q", tt.path, tt.file, got, tt.want)
			}
		})
	}
}
