package app

import (
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certCheckInterval is the least time between two looks at a
// certificate's files.
const certCheckInterval = time.Second

// certReloader serves a certificate and its key from two PEM files and
// reloads them when either file's modification time or size changes, so
// that a renewed certificate is served without a restart. It looks at the
// files during a handshake, at most once per certCheckInterval of its
// clock; a pair that fails to load (a half-written renewal) is logged and
// the previous one kept until the files change again. It is safe for
// concurrent use.
type certReloader struct {
	certFile, keyFile string
	now               func() time.Time
	stat              func(name string) (fs.FileInfo, error)
	log               *slog.Logger

	mu      sync.Mutex
	checked time.Time    // the last look at the files
	stamps  [2]fileStamp // of certFile and keyFile, as last looked at
	cert    *tls.Certificate
}

// fileStamp is what tells a changed file: its modification time (Unix
// nanoseconds) and size.
type fileStamp struct {
	mod, size int64
}

// newCertReloader loads the pair of certFile and keyFile; now is the
// clock that paces the checks (time.Now in production).
func newCertReloader(certFile, keyFile string, now func() time.Time, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, now: now, stat: os.Stat, log: log}
	stamps, err := r.look()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading %s and %s: %w", certFile, keyFile, err)
	}
	r.checked, r.stamps, r.cert = now(), stamps, &cert
	return r, nil
}

// GetCertificate serves as tls.Config.GetCertificate.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.current(), nil
}

// GetClientCertificate serves as tls.Config.GetClientCertificate.
func (r *certReloader) GetClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return r.current(), nil
}

// current returns the pair in service, reloading it first if it is time
// to look and the files changed.
func (r *certReloader) current() *tls.Certificate {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if !due(r.checked, now) {
		return r.cert
	}
	r.checked = now
	stamps, err := r.look()
	if err != nil {
		r.log.Warn("tls: cannot check the certificate's files; keeping the certificate in service", slog.Any("error", err))
		return r.cert
	}
	if stamps == r.stamps {
		return r.cert
	}
	r.stamps = stamps
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		r.log.Warn("tls: the changed certificate does not load; keeping the previous one", slog.String("cert_file", r.certFile), slog.Any("error", err))
		return r.cert
	}
	r.cert = &cert
	attrs := []any{slog.String("cert_file", r.certFile)}
	if cert.Leaf != nil {
		attrs = append(attrs, slog.Time("not_after", cert.Leaf.NotAfter))
	}
	r.log.Info("tls: certificate reloaded", attrs...)
	return r.cert
}

// due reports whether the files, last looked at at checked, should be
// looked at again at now. A clock that went back counts as due.
func due(checked, now time.Time) bool {
	d := now.Sub(checked)
	return d >= certCheckInterval || d < 0
}

// look returns the stamps of the certificate's and the key's files.
func (r *certReloader) look() ([2]fileStamp, error) {
	var stamps [2]fileStamp
	for i, name := range []string{r.certFile, r.keyFile} {
		fi, err := r.stat(name)
		if err != nil {
			return stamps, err
		}
		stamps[i] = fileStamp{mod: fi.ModTime().UnixNano(), size: fi.Size()}
	}
	return stamps, nil
}
