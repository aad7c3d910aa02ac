package gateway

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"testing"
)

// TestReadBodyBufferSize reads bodies of known and unknown length and
// checks the buffer they end in: the size of a body whose length is
// known, never past the limit, never more than twice an unknown one, and
// the claim holding exactly the buffer.
func TestReadBodyBufferSize(t *testing.T) {
	const limit = 16 << 20
	tests := []struct {
		name     string
		size     int
		chunked  bool
		gzipped  bool
		limit    int64
		min, max int // the buffer's capacity, inclusive
		err      error
	}{
		{"5 MB with Content-Length", 5_000_000, false, false, limit, 5_000_000, 5_000_000, nil},
		{"small with Content-Length", 100, false, false, limit, 100, 100, nil},
		{"empty", 0, false, false, limit, 0, 0, nil},
		{"chunked", 100_000, true, false, limit, 100_000, 200_000, nil},
		{"chunked at the limit", 100_000, true, false, 100_000, 100_000, 100_000, nil},
		{"chunked over the limit", 100_001, true, false, 100_000, 0, 100_000, ErrBodyTooLarge},
		{"gzip", 300_000, false, true, limit, 300_000, 600_000, nil},
		{"gzip inflating past the limit", 300_000, false, true, 200_000, 0, 200_000, ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bodyRequest(t, bytes.Repeat([]byte{'x'}, tt.size), tt.chunked, tt.gzipped)
			c := &claim{from: &bodyBytes{limit: math.MaxInt64}}
			buf, err := readBody(r, nil, tt.limit, c)
			if !errors.Is(err, tt.err) {
				t.Fatalf("readBody: %v, want %v", err, tt.err)
			}
			if tt.err == nil && len(buf) != tt.size {
				t.Errorf("read %d bytes, want %d", len(buf), tt.size)
			}
			if cap(buf) < tt.min || cap(buf) > tt.max {
				t.Errorf("buffer of %d bytes, want %d to %d", cap(buf), tt.min, tt.max)
			}
			if c.held != int64(cap(buf)) || c.from.held.Load() != c.held {
				t.Errorf("claim holds %d (bound %d), the buffer %d", c.held, c.from.held.Load(), cap(buf))
			}
		})
	}
}

// TestReadBodyBytesBound reads a body that would cross the bound on bytes
// in flight: ErrOverloaded before a byte is read, the bound as full as
// before, and a claim given back leaving it empty.
func TestReadBodyBytesBound(t *testing.T) {
	bound := &bodyBytes{limit: 800_000} // 700,000 for large claims
	held := &claim{from: bound}
	if err := held.resize(500_000); err != nil {
		t.Fatal(err)
	}
	c := &claim{from: bound}
	r := bodyRequest(t, make([]byte, 300_000), false, false)
	body := &countingReader{r: r.Body}
	r.Body = body
	buf, err := readBody(r, nil, 1<<20, c)
	if !errors.Is(err, ErrOverloaded) || cap(buf) != 0 || body.n != 0 {
		t.Fatalf("readBody: %v with a buffer of %d, %d bytes read; want ErrOverloaded, no buffer and none read", err, cap(buf), body.n)
	}
	if got := bound.held.Load(); got != 500_000 {
		t.Errorf("bound holds %d, want the 500000 held before", got)
	}
	held.release()
	if _, err := readBody(bodyRequest(t, make([]byte, 300_000), false, false), nil, 1<<20, c); err != nil {
		t.Fatalf("readBody once room was made: %v", err)
	}
	c.release()
	if got := bound.held.Load(); got != 0 {
		t.Errorf("bound holds %d once every claim is released, want 0", got)
	}
}

// bodyRequest is a request whose body is body, sent chunked (no
// Content-Length) or not, gzipped or not.
func bodyRequest(t *testing.T, body []byte, chunked, gzipped bool) *http.Request {
	t.Helper()
	if gzipped {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(body)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		body = z.Bytes()
	}
	r, err := http.NewRequest(http.MethodPost, "http://sluice/v2/models/m/infer", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if chunked {
		r.ContentLength = -1
	}
	if gzipped {
		r.Header.Set("Content-Encoding", "gzip")
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return r
}

// TestBodyBuffer checks that a small body never gets a large pooled
// buffer, which a slow client would pin.
func TestBodyBuffer(t *testing.T) {
	tests := []struct {
		name   string
		pooled int   // the capacity of the buffer in the pool
		size   int64 // the body's length, -1 unknown
		want   int   // the capacity handed out
	}{
		{"small body, small buffer", 1000, 100, 1000},
		{"small body, large buffer", 1 << 20, 1000, 0},
		{"unknown length, large buffer", 1 << 20, -1, 0},
		{"large body, large buffer", 1 << 20, 1 << 20, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // empty the pool of what other tests left
				_ = bodyBuffers.Get()
			}
			b := make([]byte, 0, tt.pooled)
			bodyBuffers.Put(&b)
			if got := cap(*bodyBuffer(tt.size)); got != tt.want && got != 0 {
				t.Errorf("buffer of %d bytes, want %d (or a new one)", got, tt.want)
			}
		})
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.ReadCloser
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }
