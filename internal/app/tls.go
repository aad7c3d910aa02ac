package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/configs"
)

// errNoCertificates is returned for a CA file without a PEM certificate.
var errNoCertificates = errors.New("sluice: no PEM certificate found")

// serverTLS returns the TLS configuration of the HTTP and gRPC listeners
// and the one of the admin listener, or nils when cfg.TLS is nil. Both
// serve the certificate of tls.cert_file and tls.key_file, reloaded when
// the files change (see certReloader); the first requires a client
// certificate signed by tls.client_ca_file when it is set, the admin's
// never does (its callers authenticate with the admin token).
func serverTLS(cfg *configs.Config, now func() time.Time, log *slog.Logger) (clients, admin *tls.Config, err error) {
	t := cfg.TLS
	if t == nil {
		return nil, nil, nil
	}
	certs, err := newCertReloader(cfg.Path(t.CertFile), cfg.Path(t.KeyFile), now, log)
	if err != nil {
		return nil, nil, fmt.Errorf("tls: %w", err)
	}
	admin = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.GetCertificate}
	clients = admin.Clone()
	if t.ClientCAFile != "" {
		if clients.ClientCAs, err = loadCertPool(cfg.Path(t.ClientCAFile)); err != nil {
			return nil, nil, fmt.Errorf("tls.client_ca_file: %w", err)
		}
		clients.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return clients, admin, nil
}

// workersTLS returns the TLS configuration the router's worker clients
// use, or nil when cfg.WorkersTLS is nil: the workers are verified against
// workers_tls.ca_file (else the system's roots) under server_name (else
// each worker's host), and shown the client certificate of cert_file and
// key_file, reloaded when the files change, if one is set.
func workersTLS(cfg *configs.Config, now func() time.Time, log *slog.Logger) (*tls.Config, error) {
	w := cfg.WorkersTLS
	if w == nil {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: w.ServerName}
	var err error
	if w.CAFile != "" {
		if tc.RootCAs, err = loadCertPool(cfg.Path(w.CAFile)); err != nil {
			return nil, fmt.Errorf("workers_tls.ca_file: %w", err)
		}
	}
	if w.CertFile != "" {
		certs, err := newCertReloader(cfg.Path(w.CertFile), cfg.Path(w.KeyFile), now, log)
		if err != nil {
			return nil, fmt.Errorf("workers_tls: %w", err)
		}
		tc.GetClientCertificate = certs.GetClientCertificate
	}
	return tc, nil
}

// loadCertPool reads the PEM certificates of a file into a pool.
func loadCertPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w in %s", errNoCertificates, path)
	}
	return pool, nil
}
