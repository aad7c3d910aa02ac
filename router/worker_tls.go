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

// newWorkerHTTP returns the client of the HTTP worker links and checks:
// plaintext when tc is nil, else HTTPS with a copy of tc, keeping
// connections alive between batches.
func newWorkerHTTP(tc *tls.Config) workerHTTP {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdlePerWorker
	t.DisableCompression = true
	if tc == nil {
		return workerHTTP{client: &http.Client{Transport: t}, scheme: "http"}
	}
	t.TLSClientConfig = tc.Clone()
	return workerHTTP{client: &http.Client{Transport: t}, scheme: "https"}
}

// prober returns the default HTTP prober over the same client.
func (wh workerHTTP) prober() httpProber {
	return httpProber{client: wh.client, scheme: wh.scheme}
}

// closeIdle closes the client's idle connections.
func (wh workerHTTP) closeIdle() {
	if wh.client != nil {
		wh.client.CloseIdleConnections()
	}
}
