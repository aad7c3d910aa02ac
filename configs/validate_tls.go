package configs

// tls checks the tls and workers_tls sections: the files a section needs
// are named, and TLS to workers is asked only of workers that can serve
// it.
func (c *checker) tls(cfg *Config) {
	if t := cfg.TLS; t != nil {
		c.required("tls.cert_file", t.CertFile)
		c.required("tls.key_file", t.KeyFile)
	}
	w := cfg.WorkersTLS
	if w == nil {
		return
	}
	if (w.CertFile == "") != (w.KeyFile == "") {
		c.addf("workers_tls", "cert_file and key_file go together: set both or neither")
	}
	if cfg.Scaler.Driver == DriverLocal {
		c.addf("workers_tls", "local workers (scaler.driver %q) serve plaintext on loopback; "+
			"workers_tls is for workers that serve TLS (scaler.driver %q)", DriverLocal, DriverKubernetes)
	}
}

// required reports an empty string.
func (c *checker) required(field, value string) {
	if value == "" {
		c.addf(field, "is required")
	}
}
