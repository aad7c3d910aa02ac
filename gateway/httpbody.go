package gateway

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/sluice-gateway/sluice/oip"
)

// readBody reads an infer request's body into buf's memory, growing it
// as needed, and returns the body, decompressed as its Content-Encoding
// says (gzip, deflate or none). Both the body as sent and as
// decompressed must fit in maxBody, or the call fails with
// ErrBodyTooLarge: a Content-Length over it is refused before a byte is
// read (so "Expect: 100-continue" gets 413, never 100 Continue), and a
// small body that inflates beyond the limit is refused without being
// inflated further.
//
// The buffer grows with what arrives, never ahead of it by more than it
// holds, so that a client announcing a large body and sending little
// holds little; it doubles up to the body's Content-Length (when the
// body is not compressed) and to maxBody, never past them, so that a
// body of n bytes ends in a buffer of n, not of the next power of two.
// c holds the buffer's capacity as it grows: a body that would cross the
// gateway's bound on body bytes fails with an error matching
// ErrOverloaded (the client may retry), its buffer no larger than
// before; one whose Content-Length does not fit beside the bodies held
// is refused so before a byte of it is read.
//
// A failure of the connection itself is reported apart from the body's
// content: ErrBodyTimeout when the body did not arrive in time,
// ErrClientClosed when the client went away, oip.ErrInvalid for
// malformed framing (chunked encoding) or a corrupt compressed body, or
// an unknown encoding.
func readBody(r *http.Request, buf []byte, maxBody int64, c *claim) ([]byte, error) {
	if r.ContentLength > maxBody {
		return buf[:0], fmt.Errorf("%w: Content-Length %d: the limit is %d bytes", ErrBodyTooLarge, r.ContentLength, maxBody)
	}
	rd := &bodyReaders{max: maxReader{r: r.Body, left: maxBody, limit: maxBody}}
	wire := &rd.wire
	wire.r = &rd.max
	src, err := decompressor(r.Header.Get("Content-Encoding"), wire)
	size := int64(-1)
	if err == nil && src == io.Reader(wire) {
		size = r.ContentLength // -1 when unknown
	}
	if err == nil {
		buf, err = readAll(src, buf[:0], size, maxBody, c)
	}
	if err != nil && wire.err != nil {
		return buf, wireError(wire.err, maxBody)
	}
	if err != nil {
		return buf, tooLarge(err, maxBody)
	}
	return buf, nil
}

// initialBodyBuffer is the most a body's buffer is given before any of it
// arrives, whatever its Content-Length says; beyond it the buffer
// doubles as the body comes, up to the body's size.
const initialBodyBuffer = 64 << 10

// errInflated is readAll's error for a body longer than its limit.
var errInflated = errors.New("the body exceeds the limit")

// readAll appends src to buf until io.EOF and returns the result. size
// is how long src is known to be, -1 when unknown; limit is the most it
// may hold (errInflated beyond it). c holds buf's capacity: each growth
// is taken from it first; a known size must fit in its bound at the
// start.
func readAll(src io.Reader, buf []byte, size, limit int64, c *claim) ([]byte, error) {
	if err := c.room(size); size > 0 && err != nil {
		return buf, err // refused before a byte is read or a buffer grown
	}
	if err := c.resize(int64(cap(buf))); err != nil {
		return buf, err
	}
	for {
		if len(buf) == cap(buf) {
			next := grownCap(int64(cap(buf)), size, limit)
			if next == int64(cap(buf)) {
				return buf, expectEnd(src)
			}
			if err := c.resize(next); err != nil {
				return buf, err
			}
			buf = append(make([]byte, 0, next), buf...)
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// grownCap returns the capacity a full buffer of capacity have grows to:
// double (at least initialBodyBuffer), but no more than size when it is
// known and no more than limit; have itself when it may not grow.
func grownCap(have, size, limit int64) int64 {
	next := max(2*have, initialBodyBuffer)
	if size >= 0 {
		next = min(next, size)
	}
	return max(min(next, limit), have)
}

// expectEnd reads from src, whose reader's buffer is full, expecting
// io.EOF: nil then, errInflated when more arrives.
func expectEnd(src io.Reader) error {
	var probe [1]byte
	for {
		n, err := src.Read(probe[:])
		switch {
		case n > 0:
			return errInflated
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// bodyReaders are the readers readBody stacks on a body, in one
// allocation: the limit on the body as sent and the connection's error.
type bodyReaders struct {
	max  maxReader
	wire wireReader
}

// maxReader is http.MaxBytesReader without a ResponseWriter, held by
// value: it reads at most limit bytes of r, and fails with an
// *http.MaxBytesError once the body goes beyond them.
type maxReader struct {
	r     io.Reader
	left  int64 // bytes left to read within the limit
	limit int64
	err   error // sticky
}

func (m *maxReader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read one byte beyond the limit, to tell a body of exactly limit
	// bytes from a longer one.
	if int64(len(p))-1 > m.left {
		p = p[:m.left+1]
	}
	n, err := m.r.Read(p)
	if int64(n) <= m.left {
		m.left -= int64(n)
		m.err = err
		return n, err
	}
	n, m.left = int(m.left), 0
	m.err = &http.MaxBytesError{Limit: m.limit}
	return n, m.err
}

// wireReader remembers the error of the connection under a body, to tell
// it apart from the decompressor's.
type wireReader struct {
	r   io.Reader
	err error // the first error other than io.EOF
}

func (w *wireReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF && w.err == nil {
		w.err = err
	}
	return n, err
}

// wireError says what a failure to read a body from its connection was:
// the body over the limit (ErrBodyTooLarge), the body timeout
// (ErrBodyTimeout), the client gone (ErrClientClosed), or else malformed
// framing (oip.ErrInvalid).
func wireError(err error, maxBody int64) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return fmt.Errorf("%w: the limit is %d bytes", ErrBodyTooLarge, maxBody)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return fmt.Errorf("%w: %w", ErrBodyTimeout, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("%w before its body ended: %w", ErrClientClosed, err)
	}
	return fmt.Errorf("%w: malformed request body: %w", oip.ErrInvalid, err)
}

// decompressor returns a reader of body decoded as encoding says.
func decompressor(encoding string, body io.Reader) (io.Reader, error) {
	switch e := strings.ToLower(strings.TrimSpace(encoding)); e {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("%w: Content-Encoding gzip: %w", oip.ErrInvalid, err)
		}
		return zr, nil
	case "deflate":
		zr, err := zlib.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("%w: Content-Encoding deflate: %w", oip.ErrInvalid, err)
		}
		return zr, nil
	default:
		return nil, fmt.Errorf("%w: Content-Encoding %q is not supported: send gzip, deflate or none", oip.ErrInvalid, encoding)
	}
}

// tooLarge maps the body reader's own limit to ErrBodyTooLarge, corrupt
// compressed data to oip.ErrInvalid, and passes other errors on.
func tooLarge(err error, maxBody int64) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return fmt.Errorf("%w: the limit is %d bytes", ErrBodyTooLarge, maxBody)
	}
	if errors.Is(err, errInflated) {
		return fmt.Errorf("%w: the decompressed body exceeds the limit of %d bytes", ErrBodyTooLarge, maxBody)
	}
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, zlib.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) || isFlateError(err) {
		return fmt.Errorf("%w: corrupt compressed body: %w", oip.ErrInvalid, err)
	}
	return err
}

// decodeHTTP decodes an infer body: JSON, or framed by the binary tensor
// data extension when the request has an Inference-Header-Content-Length
// header, whatever its Content-Type. The depth limit applies to the JSON
// part, which must be valid UTF-8 (see checkJSONText). aliased reports
// that the request's tensors share body's memory.
func decodeHTTP(h http.Header, body []byte, b bounds) (_ *oip.InferenceRequest, aliased bool, _ error) {
	v := h.Get(oip.HeaderInferenceLength)
	if v == "" {
		if err := checkJSONText(body, b); err != nil {
			return nil, false, err
		}
		req, err := oip.DecodeRequest(body)
		return req, false, err
	}
	n, err := oip.ParseHeaderLength(v)
	if err != nil {
		return nil, false, err
	}
	if n <= int64(len(body)) { // else the decoder reports the framing
		if err := checkJSONText(body[:n], b); err != nil {
			return nil, false, err
		}
	}
	req, err := oip.DecodeBinaryRequest(body, n)
	return req, err == nil && n < int64(len(body)), err
}

// checkJSONText refuses, with an error matching oip.ErrInvalid, a JSON
// text nested deeper than b allows, or one that is not valid UTF-8. JSON
// is text: a decoder would turn each invalid byte into U+FFFD, and a
// BYTES element that is not text would reach the model altered, so it
// is refused instead of being changed. Such elements travel intact in
// the binary tensor data extension.
func checkJSONText(body []byte, b bounds) error {
	if err := b.checkDepth(body); err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return fmt.Errorf("%w: the JSON body is not valid UTF-8: send BYTES elements that are not text "+
			"with the binary tensor data extension (Inference-Header-Content-Length)", oip.ErrInvalid)
	}
	return nil
}

// writeInfer answers an infer call with resp, its outputs as binary data
// where format asks, compressed when the client accepts gzip or
// deflate. The values of Inference-Header-Content-Length and
// Content-Length are appended to vals, whose spare capacity (two) spares
// them an allocation, and set under their canonical keys.
func writeInfer(w http.ResponseWriter, r *http.Request, resp *oip.InferenceResponse, format oip.BinaryOutputs, vals []string) error {
	header, data, err := oip.EncodeBinaryResponse(resp, format)
	if err != nil {
		return err
	}
	h := w.Header()
	if data != nil {
		n := len(vals)
		vals = append(vals, strconv.Itoa(len(header)))
		h[oip.HeaderInferenceLength] = vals[n : n+1 : n+1]
		h["Content-Type"] = contentTypeBinary
	} else {
		h["Content-Type"] = contentTypeJSON
	}
	enc := acceptedEncoding(r.Header.Values("Accept-Encoding"))
	if enc == "" {
		size := len(header)
		for _, d := range data {
			size += len(d)
		}
		n := len(vals)
		vals = append(vals, strconv.Itoa(size))
		h["Content-Length"] = vals[n : n+1 : n+1]
		return writeParts(w, header, data)
	}
	h.Set("Content-Encoding", enc)
	h.Add("Vary", "Accept-Encoding")
	zw := compressor(enc, w)
	defer compressors[enc].Put(zw)
	if err := writeParts(zw, header, data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return answerCut(err)
	}
	return nil
}

// contentTypeJSON and contentTypeBinary are the Content-Type values of
// an infer answer, shared by every answer so that setting them costs no
// allocation; nothing appends to a response's header values.
var (
	contentTypeJSON   = []string{"application/json"}
	contentTypeBinary = []string{"application/octet-stream"}
)

// writeParts writes an answer's header and data to w. Its errors are the
// client's — it left, or did not read within the write timeout — and
// match ErrClientClosed.
func writeParts(w io.Writer, header []byte, data [][]byte) error {
	if _, err := w.Write(header); err != nil {
		return answerCut(err)
	}
	for _, d := range data {
		if _, err := w.Write(d); err != nil {
			return answerCut(err)
		}
	}
	return nil
}

// answerCut is the error of an answer whose writing failed.
func answerCut(err error) error {
	return fmt.Errorf("%w before its answer was written: %w", ErrClientClosed, err)
}

// resettableWriter is a pooled gzip or zlib writer.
type resettableWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// compressors pools the writers of each encoding, at the fastest level:
// compressing tensors trades little size for much CPU at higher levels.
var compressors = map[string]*sync.Pool{
	"gzip":    {New: func() any { zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return zw }},
	"deflate": {New: func() any { zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed); return zw }},
}

// compressor returns a pooled writer of encoding enc onto w.
func compressor(enc string, w io.Writer) resettableWriter {
	zw := compressors[enc].Get().(resettableWriter)
	zw.Reset(w)
	return zw
}

// acceptedEncoding returns "gzip" or "deflate" when the Accept-Encoding
// values accept it (gzip preferred, a q of 0 refusing), else "".
func acceptedEncoding(values []string) string {
	ok := map[string]bool{}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
			if q = strings.ReplaceAll(strings.TrimSpace(q), " ", ""); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				continue
			}
			ok[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	switch {
	case ok["gzip"]:
		return "gzip"
	case ok["deflate"]:
		return "deflate"
	}
	return ""
}

// isFlateError reports whether err is compress/flate's report of corrupt
// or truncated compressed data.
func isFlateError(err error) bool {
	if _, ok := errors.AsType[flate.CorruptInputError](err); ok {
		return true
	}
	_, ok := errors.AsType[*flate.ReadError](err)
	return ok
}
