package gateway

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

func TestParseCredentials(t *testing.T) {
	long := strings.Repeat("k", MaxKeyLen+1)
	tests := []struct {
		name          string
		authorization []string
		apiKey        []string
		want          string
		wantErr       error
	}{
		{name: "none", wantErr: errNoKey},
		{name: "bearer", authorization: []string{"Bearer k-1"}, want: "k-1"},
		{name: "scheme in any case, extra spaces", authorization: []string{"  bEARER   k-1  "}, want: "k-1"},
		{name: "x-api-key", apiKey: []string{" k-1 "}, want: "k-1"},
		{name: "both, agreeing", authorization: []string{"Bearer k-1"}, apiKey: []string{"k-1"}, want: "k-1"},
		{name: "both, disagreeing", authorization: []string{"Bearer k-1"}, apiKey: []string{"k-2"}, wantErr: errManyKeys},
		{name: "two authorizations", authorization: []string{"Bearer k-1", "Bearer k-1"}, wantErr: errManyKeys},
		{name: "two x-api-keys", apiKey: []string{"k-1", "k-2"}, wantErr: errManyKeys},
		{name: "basic", authorization: []string{"Basic dXNlcjpwYXNz"}, wantErr: errNotBearer},
		{name: "scheme only", authorization: []string{"Bearer"}, wantErr: errNotBearer},
		{name: "no scheme", authorization: []string{"k-1"}, wantErr: errNotBearer},
		{name: "space in key", authorization: []string{"Bearer k 1"}, wantErr: errMalformedKey},
		{name: "empty x-api-key", apiKey: []string{"  "}, wantErr: errMalformedKey},
		{name: "control character", apiKey: []string{"k\x001"}, wantErr: errMalformedKey},
		{name: "not ASCII", apiKey: []string{"clé"}, wantErr: errMalformedKey},
		{name: "too long", apiKey: []string{long}, wantErr: errMalformedKey},
		{name: "longest", apiKey: []string{long[1:]}, want: long[1:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCredentials(tt.authorization, tt.apiKey)
			if got != tt.want || err != tt.wantErr {
				t.Errorf("parseCredentials = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("error %v does not match ErrUnauthenticated", err)
			}
		})
	}
}

// credentialErrors are every error parseCredentials may return; their
// messages are fixed, so none quotes what the client sent.
var credentialErrors = []error{errNoKey, errManyKeys, errNotBearer, errMalformedKey}

// FuzzParseCredentials parses arbitrary credential, priority and timeout
// headers as both front ends read them. Its seeds in
// testdata/fuzz/FuzzParseCredentials run with every `go test`.
func FuzzParseCredentials(f *testing.F) {
	f.Add("Bearer k-1", "", "high", "250")
	f.Fuzz(func(t *testing.T, authorization, apiKey, priority, timeout string) {
		httpKey, httpErr := credentialsOverHTTP(authorization, apiKey)
		grpcKey, grpcErr := credentialsOverGRPC(authorization, apiKey)
		if httpKey != grpcKey || httpErr != grpcErr {
			t.Fatalf("HTTP gives %q, %v; gRPC gives %q, %v", httpKey, httpErr, grpcKey, grpcErr)
		}
		checkCredentials(t, httpKey, httpErr, authorization, apiKey)
		checkPriority(t, priority)
		checkTimeout(t, timeout)
	})
}

// credentialsOverHTTP parses credentials as the HTTP front end reads them;
// an empty value is an absent header.
func credentialsOverHTTP(authorization, apiKey string) (string, error) {
	h := http.Header{}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	if apiKey != "" {
		h.Set("X-Api-Key", apiKey)
	}
	return parseCredentials(headers(h.Values)(HeaderAuthorization), headers(h.Values)(HeaderAPIKey))
}

// credentialsOverGRPC parses credentials as the gRPC front end reads them.
func credentialsOverGRPC(authorization, apiKey string) (string, error) {
	md := metadata.MD{}
	if authorization != "" {
		md.Append("Authorization", authorization)
	}
	if apiKey != "" {
		md.Append("X-API-Key", apiKey)
	}
	return parseCredentials(headers(md.Get)(HeaderAuthorization), headers(md.Get)(HeaderAPIKey))
}

func checkCredentials(t *testing.T, key string, err error, authorization, apiKey string) {
	t.Helper()
	if err != nil {
		for _, known := range credentialErrors {
			if err == known {
				return
			}
		}
		t.Fatalf("error %v is not one of the fixed credential errors", err)
	}
	if !wellFormedKey(key) || !(strings.Contains(authorization, key) || strings.Contains(apiKey, key)) {
		t.Fatalf("key %q is malformed or not from the headers %q, %q", key, authorization, apiKey)
	}
}

// checkPriority checks that the priority header never raises a key's
// class (high here) and defaults to it.
func checkPriority(t *testing.T, header string) {
	t.Helper()
	p, err := parsePriority(header, batcher.High, batcher.High)
	switch {
	case err != nil && !errors.Is(err, oip.ErrInvalid):
		t.Errorf("parsePriority(%q) error %v does not match oip.ErrInvalid", header, err)
	case err == nil && (p > batcher.High || p < batcher.Low):
		t.Errorf("parsePriority(%q) = %v, beyond the ceiling high", header, p)
	case err == nil && header == "" && p != batcher.High:
		t.Errorf("parsePriority(\"\") = %v, want the default high", p)
	}
}

// checkTimeout checks that a timeout header is refused as invalid input or
// gives a positive timeout.
func checkTimeout(t *testing.T, header string) {
	t.Helper()
	d, err := parseTimeout(header, nil)
	switch {
	case err != nil && !errors.Is(err, oip.ErrInvalid):
		t.Errorf("parseTimeout(%q) error %v does not match oip.ErrInvalid", header, err)
	case err == nil && header != "" && d <= 0:
		t.Errorf("parseTimeout(%q) = %v, want a positive timeout", header, d)
	}
}

func TestRateLimits(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := NewRateLimits(map[string]Limit{"a": {Rate: 10, Burst: 2}, "b": {Rate: 1, Burst: 1}}, map[string]Limit{"m": {Rate: 1, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name          string
		tenant, model string
		at            time.Duration
		wantAfter     time.Duration // 0: allowed
	}{
		{"burst 1 of 2", "a", "x", 0, 0},
		{"burst 2 of 2", "a", "x", 0, 0},
		{"bucket empty", "a", "x", 0, 100 * time.Millisecond},
		{"partly refilled", "a", "x", 40 * time.Millisecond, 60 * time.Millisecond},
		{"refilled", "a", "x", 100 * time.Millisecond, 0},
		{"model's token", "b", "m", 100 * time.Millisecond, 0},
		{"model over, tenant's token kept", "a", "m", 200 * time.Millisecond, 900 * time.Millisecond},
		{"tenant token still there", "a", "x", 200 * time.Millisecond, 0},
		{"tenant without a limit", "c", "x", 200 * time.Millisecond, 0},
		{"tenant over, model's token kept", "b", "m", 1100 * time.Millisecond, 0},
	}
	for _, s := range steps {
		err := l.Allow(s.tenant, s.model, t0.Add(s.at))
		if s.wantAfter == 0 {
			if err != nil {
				t.Errorf("%s: Allow = %v, want nil", s.name, err)
			}
			continue
		}
		f := classify(err)
		if !errors.Is(err, ErrRateLimited) || f.http != http.StatusTooManyRequests || f.retryAfter != s.wantAfter {
			t.Errorf("%s: Allow = %v (status %d, retry after %v), want 429 after %v", s.name, err, f.http, f.retryAfter, s.wantAfter)
		}
	}
}

func TestNilRateLimitsAllow(t *testing.T) {
	var l *RateLimits
	if err := l.Allow("a", "m", time.Time{}); err != nil {
		t.Errorf("nil RateLimits: Allow = %v", err)
	}
}

func TestAdmissionAdmit(t *testing.T) {
	a, err := NewAdmission(map[string]string{"big": "small"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetFallback("big", true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		level      batcher.ShedLevel
		model      string
		p          batcher.Priority
		wantServe  string
		wantReason string
		shed       bool
	}{
		{"nothing shed", batcher.ShedNone, "other", batcher.Low, "other", "", false},
		{"fallback on", batcher.ShedNone, "big", batcher.High, "small", FallbackShed, false},
		{"low shed", batcher.ShedLow, "other", batcher.Low, "", "", true},
		{"normal passes shed low", batcher.ShedLow, "other", batcher.Normal, "other", "", false},
		{"normal shed", batcher.ShedNormal, "big", batcher.Normal, "", "", true},
		{"high passes shed normal", batcher.ShedNormal, "big", batcher.High, "small", FallbackShed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.SetShed(tt.level)
			serve, reason, err := a.admit(tt.model, tt.p)
			if serve != tt.wantServe || reason != tt.wantReason || (err != nil) != tt.shed {
				t.Errorf("admit = %q, %q, %v; want %q, %q, shed %v", serve, reason, err, tt.wantServe, tt.wantReason, tt.shed)
			}
			if f := classify(err); tt.shed && (!errors.Is(err, ErrShed) || f.retryAfter != ShedRetryAfter || f.http != http.StatusServiceUnavailable) {
				t.Errorf("shed error %v: status %d, retry after %v", err, f.http, f.retryAfter)
			}
		})
	}
}
