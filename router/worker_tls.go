package router

import (
	"crypto/tls"
	"net/http"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// maxIdlePerWorker is how many idle keep-alive connections the router
// keeps to one HTTP worker: enough for the batches of its slots and its
// checks to find one open.
const maxIdlePerWorker = 64

// workerCredentials returns the transport security of the worker links:
// TLS with a copy of tc, or plaintext when tc is nil.
func workerCredentials(tc *tls.Config) credentials.TransportCredentials {
	if tc == nil {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(tc.Clone())
}

// orPlaintext returns creds, or plaintext when creds is nil.
func orPlaintext(creds credentials.TransportCredentials) credentials.TransportCredentials {
	if creds == nil {
		return insecure.NewCredentials()
	}
	return creds
}

// workerHTTP makes the clients of the HTTP worker links and checks.
type workerHTTP struct {
	transport *http.Transport // cloned for each worker
	scheme    string          // "http" or "https"
}

// newWorkerHTTP returns the maker of HTTP worker clients: plaintext when
// tc is nil, else HTTPS with a copy of tc, keeping connections alive
// between batches.
func newWorkerHTTP(tc *tls.Config) workerHTTP {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdlePerWorker
	t.DisableCompression = true
	if tc == nil {
		return workerHTTP{transport: t, scheme: "http"}
	}
	t.TLSClientConfig = tc.Clone()
	return workerHTTP{transport: t, scheme: "https"}
}

// client returns a client of one worker's own: closing its idle
// connections when the worker leaves lets the worker's server stop
// without waiting for them.
func (wh workerHTTP) client() *http.Client {
	return &http.Client{Transport: wh.transport.Clone()}
}

// prober returns an HTTP prober over a client of its own.
func (wh workerHTTP) prober() httpProber {
	return httpProber{client: wh.client(), scheme: wh.scheme}
}
