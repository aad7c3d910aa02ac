package configs

import "path/filepath"

// TLS serves the client listeners over TLS: listen.http as HTTPS and
// listen.grpc with transport security; the admin listener uses the same
// certificate (its callers authenticate with the admin token, not with
// client certificates). A nil *TLS, the default, serves plaintext.
//
// The certificate and key are read again when either file changes (by
// modification time or size, checked at most once a second), so that a
// renewed certificate is served without a restart; a pair that fails to
// load keeps the previous one in service.
type TLS struct {
	// CertFile names the PEM certificate chain, leaf first; required. A
	// relative path, here and below, is read from the directory of the
	// configuration file.
	CertFile string `yaml:"cert_file"`
	// KeyFile names the PEM private key of the leaf; required.
	KeyFile string `yaml:"key_file"`
	// ClientCAFile names PEM certificates of the authorities whose client
	// certificates the HTTP and gRPC listeners accept; set, every client
	// must present a certificate they signed (mutual TLS). Empty, the
	// default, asks clients for none.
	ClientCAFile string `yaml:"client_ca_file"`
}

// WorkersTLS makes the router reach its workers (gRPC calls and HTTP
// health checks) over TLS. A nil *WorkersTLS, the default, speaks
// plaintext to them; an empty one verifies the workers against the
// system's roots.
type WorkersTLS struct {
	// CAFile names PEM certificates of the authorities that sign the
	// workers' certificates; empty means the system's roots.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile name the PEM client certificate and key the
	// router presents to workers that ask for one; both or neither.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName is the name the workers' certificates must hold; empty
	// means each worker's host as its endpoint gives it.
	ServerName string `yaml:"server_name"`
}

// Path resolves a path the configuration names: a relative path is taken
// from the directory of c.File (or the working directory when c.File is
// empty); an empty path stays empty.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(c.File), p)
}

// tls checks the tls and workers_tls sections: the files a section needs
// are named, and TLS to workers is asked only of workers that can serve
// it: none of pools runs local processes under driver (scaler.driver).
func (c *checker) tls(t *TLS, w *WorkersTLS, driver string, pools []Pool) {
	if t != nil {
		c.required("tls.cert_file", t.CertFile)
		c.required("tls.key_file", t.KeyFile)
	}
	if w == nil {
		return
	}
	if (w.CertFile == "") != (w.KeyFile == "") {
		c.addf("workers_tls", "cert_file and key_file go together: set both or neither")
	}
	for _, p := range pools {
		if k := p.Kind(driver); k == PoolEmulator || k == PoolCommand {
			c.addf("workers_tls", "local workers (scaler.driver %q) serve plaintext on loopback, and pool %q runs them; "+
				"workers_tls is for workers that serve TLS (pools with endpoints or dns, or scaler.driver %q)",
				DriverLocal, p.Name, DriverKubernetes)
			return
		}
	}
}
