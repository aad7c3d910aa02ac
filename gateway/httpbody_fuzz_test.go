package gateway

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-gateway/sluice/oip"
)

// fuzzMaxBody is the body limit of FuzzReadBody.
const fuzzMaxBody = 1 << 12

// FuzzReadBody reads request bodies of any framing — Content-Length,
// chunked (well-formed or not), gzip or deflate, "Expect: 100-continue"
// — through readBody: it never panics, keeps at most the limit, and
// fails only with an error a status is defined for (413, 408, 499, 400).
func FuzzReadBody(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"inputs":[]}`))
	_ = zw.Close()
	seeds := []struct {
		headers string
		body    []byte
	}{
		{"Content-Length: 13\r\n", []byte(`{"inputs":[]}`)},
		{"Content-Length: 20\r\n", []byte(`{"inputs":[]}`)}, // cut short
		{"Content-Length: 99999\r\nExpect: 100-continue\r\n", nil},
		{"Transfer-Encoding: chunked\r\n", []byte("d\r\n{\"inputs\":[]}\r\n0\r\n\r\n")},
		{"Transfer-Encoding: chunked\r\n", []byte("zz\r\n{}\r\n0\r\n\r\n")}, // bad chunk size
		{"Transfer-Encoding: chunked\r\n", []byte("5\r\n{}")},               // never ends
		{"Content-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(gz.Len()) + "\r\n", gz.Bytes()},
		{"Content-Encoding: gzip\r\nContent-Length: 4\r\n", []byte("\x1f\x8b\x08\x00")},
		{"Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n", []byte("2\r\nxx\r\n0\r\n\r\n")},
		{"Content-Encoding: br\r\nContent-Length: 2\r\n", []byte("{}")},
	}
	for _, s := range seeds {
		f.Add(s.headers, s.body)
	}
	f.Fuzz(func(t *testing.T, headers string, body []byte) {
		raw := "POST /v2/models/m/infer HTTP/1.1\r\nHost: sluice\r\n" + headers + "\r\n"
		r, err := http.ReadRequest(bufio.NewReader(io.MultiReader(strings.NewReader(raw), bytes.NewReader(body))))
		if err != nil {
			return // not a request the server would hand a handler
		}
		c := &claim{from: &bodyBytes{limit: math.MaxInt64}}
		buf, err := readBody(r, nil, fuzzMaxBody, c)
		if cap(buf) > fuzzMaxBody || c.held != int64(cap(buf)) {
			t.Fatalf("kept %d bytes in a buffer of %d, %d claimed; limit %d", len(buf), cap(buf), c.held, fuzzMaxBody)
		}
		if err != nil && !errors.Is(err, ErrBodyTooLarge) && !errors.Is(err, ErrClientClosed) &&
			!errors.Is(err, oip.ErrInvalid) && !errors.Is(err, ErrBodyTimeout) {
			t.Fatalf("error with no status of its own: %v", err)
		}
	})
}
