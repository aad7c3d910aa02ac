package router

import (
	"crypto/tls"
	"net/http"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

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

// newHTTPProber returns the default HTTP prober: plaintext when tc is
// nil, else HTTPS with a copy of tc.
func newHTTPProber(tc *tls.Config) httpProber {
	if tc == nil {
		return httpProber{client: &http.Client{}, scheme: "http"}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tc.Clone()
	return httpProber{client: &http.Client{Transport: t}, scheme: "https"}
}
