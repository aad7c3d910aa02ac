package router

import (
	"container/list"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// Bookkeeping bytes counted against the cache's bound besides the data:
// per entry and per tensor.
const (
	entryOverhead  = 256
	tensorOverhead = 96
)

// cacheKey names one answer: a SHA-256 of the model, the version and the
// request's canonical inputs and requested outputs.
type cacheKey [sha256.Size]byte

// keyOf hashes what decides a request's answer: model, version, the inputs
// sorted by name (name, datatype, shape, elements), and the names of the
// requested outputs in order. IDs and parameters do not count: two
// requests that differ only there share an answer.
func keyOf(model, version string, req *oip.InferenceRequest) cacheKey {
	h := sha256.New()
	writeString(h, model)
	writeString(h, version)
	ins := make([]*oip.Tensor, len(req.Inputs))
	for i := range req.Inputs {
		ins[i] = &req.Inputs[i]
	}
	slices.SortStableFunc(ins, func(a, b *oip.Tensor) int { return strings.Compare(a.Name, b.Name) })
	writeInt(h, int64(len(ins)))
	for _, t := range ins {
		writeTensor(h, t)
	}
	writeInt(h, int64(len(req.Outputs)))
	for _, o := range req.Outputs {
		writeString(h, o.Name)
	}
	var k cacheKey
	h.Sum(k[:0])
	return k
}

// writeTensor writes t unambiguously: every variable-length part is
// length-prefixed.
func writeTensor(h hash.Hash, t *oip.Tensor) {
	writeString(h, t.Name)
	writeString(h, string(t.Datatype))
	writeInt(h, int64(len(t.Shape)))
	for _, d := range t.Shape {
		writeInt(h, d)
	}
	writeInt(h, int64(len(t.Raw)))
	h.Write(t.Raw)
	writeInt(h, int64(len(t.Elems)))
	for _, e := range t.Elems {
		writeInt(h, int64(len(e)))
		h.Write(e)
	}
}

func writeString(h hash.Hash, s string) {
	writeInt(h, int64(len(s)))
	h.Write([]byte(s))
}

func writeInt(h hash.Hash, v int64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	h.Write(b[:])
}

// responseCache holds answers under a bound in bytes, least recently used
// evicted first, each until its own expiry. It is safe for concurrent use;
// time is passed in.
type responseCache struct {
	limit int64

	mu      sync.Mutex
	used    int64
	lru     list.List // of *cacheEntry, most recently used first
	entries map[cacheKey]*list.Element
}

type cacheEntry struct {
	key     cacheKey
	resp    *oip.InferenceResponse
	size    int64
	expires time.Time
}

// newResponseCache returns a cache of at most limit bytes; limit <= 0
// stores nothing.
func newResponseCache(limit int64) *responseCache {
	return &responseCache{limit: limit, entries: map[cacheKey]*list.Element{}}
}

// get returns a copy of the answer under k, fresh at now, with id as its
// ID; its tensors are shared with the cache and must not be modified.
func (c *responseCache) get(k cacheKey, id string, now time.Time) (*oip.InferenceResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	out := *e.resp
	out.ID = id
	return &out, true
}

// put stores a copy of resp under k until now+ttl, evicting the least
// recently used answers to stay within the bound. An answer larger than
// the whole bound, or a ttl <= 0, is not stored.
func (c *responseCache) put(k cacheKey, resp *oip.InferenceResponse, ttl time.Duration, now time.Time) {
	if ttl <= 0 || c.limit <= 0 {
		return
	}
	e := &cacheEntry{key: k, resp: cloneResponse(resp), expires: now.Add(ttl)}
	e.size = sizeOf(e.resp)
	if e.size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		c.remove(old)
	}
	for c.used+e.size > c.limit {
		c.remove(c.lru.Back())
	}
	c.entries[k] = c.lru.PushFront(e)
	c.used += e.size
}

// bytes returns the bytes the cache counts as used.
func (c *responseCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// remove drops an entry. pre: c.mu held.
func (c *responseCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.used -= e.size
}

// cloneResponse copies resp's outputs into fresh buffers, so that the
// cache holds no more memory than it counts, and drops its ID.
func cloneResponse(resp *oip.InferenceResponse) *oip.InferenceResponse {
	out := &oip.InferenceResponse{
		ModelName:    resp.ModelName,
		ModelVersion: resp.ModelVersion,
		Parameters:   maps.Clone(resp.Parameters),
		Outputs:      make([]oip.Tensor, len(resp.Outputs)),
	}
	for i, t := range resp.Outputs {
		out.Outputs[i] = oip.Tensor{
			Name:       t.Name,
			Datatype:   t.Datatype,
			Shape:      slices.Clone(t.Shape),
			Parameters: maps.Clone(t.Parameters),
			Raw:        slices.Clone(t.Raw),
		}
		if t.Elems != nil {
			out.Outputs[i].Elems = make([][]byte, len(t.Elems))
			for j, e := range t.Elems {
				out.Outputs[i].Elems[j] = slices.Clone(e)
			}
		}
	}
	return out
}

// sizeOf estimates the bytes resp holds: its element data and names, plus
// fixed overheads.
func sizeOf(resp *oip.InferenceResponse) int64 {
	n := int64(entryOverhead + len(resp.ModelName) + len(resp.ModelVersion))
	for _, t := range resp.Outputs {
		n += int64(tensorOverhead + len(t.Name) + 8*len(t.Shape) + len(t.Raw))
		for _, e := range t.Elems {
			n += int64(24 + len(e))
		}
	}
	return n
}
