package router

import (
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
)

// Request is one inference call as the gateway hands it to Serve.
type Request struct {
	// Model and Version name what is asked for; Version may be empty.
	Model, Version string
	// Req is the decoded, validated request. The router never modifies it.
	Req *oip.InferenceRequest
	// Priority is the class the request is queued in.
	Priority batcher.Priority
	// Enqueued is when the request arrived, the start of its SLO; zero
	// means now.
	Enqueued time.Time
	// Deadline is the caller's own limit, when the answer becomes useless
	// to it (a client's timeout, cut to any cap the caller applies); zero
	// means none. The request's deadline is the earliest of it, the
	// context's and Enqueued plus the model's Timeout (see Serve).
	Deadline time.Time
	// Header returns a request header by lower-case name for header
	// routes. The gateway sets it only for trusted tenants; nil makes
	// every route with header conditions miss.
	Header func(name string) string
	// Tenant and Weight place the request in its pool's queue: tenants
	// share each class by weight (batcher.Item.Tenant, Item.Weight).
	Tenant string
	Weight float64
	// Thrifty asks for the cheapest pool that can meet the model's SLO
	// rather than the fastest when none is on time (see DefaultPicker):
	// the caller is past its budget's soft ratio.
	Thrifty bool
}

// Result is the answer Serve returns and where it came from.
type Result struct {
	// Response is the answer. Its ModelName is Model; when CacheHit, it is
	// a copy whose tensors are shared with the cache and must not be
	// modified.
	Response *oip.InferenceResponse
	// Model is the model that answered: the fallback model when
	// FallbackFrom is set, else the one asked for.
	Model string
	// Pool is the pool that served the request; empty for a cache hit.
	Pool string
	// CacheHit is set when the answer came from the response cache.
	CacheHit bool
	// FallbackFrom names the model asked for when its fallback model
	// answered instead; empty otherwise.
	FallbackFrom string
	// Retried is set when a first attempt failed on a worker and the
	// answer came from a retry.
	Retried bool
}

// Facts are what the routing rules and the picker know of a request.
type Facts struct {
	// Model is the model asked for.
	Model string
	// Rows is the size of the inputs' dimension 0, at least 1.
	Rows int64
	// Elements and Bytes measure the inputs in all: tensor elements, and
	// bytes of element data.
	Elements, Bytes int64
	// DataBytes is the inputs' size as a worker receives them
	// (oip.InferenceRequest.DataBytes): what counts against a pool's
	// largest batch in bytes.
	DataBytes int64
	// Priority is the request's class: only items of this class or above
	// are ahead of it in a queue.
	Priority batcher.Priority
	// SLO is the model's latency target; a pool whose idle latency for
	// Rows exceeds it never serves the request.
	SLO time.Duration
	// Due is when the answer stops being on time: the earlier of the
	// request's deadline and the end of its SLO (Due); zero when there is
	// neither.
	Due time.Time
	// Deadline is the request's deadline (see Serve); zero when it has
	// none. A pool that would answer after it is not chosen.
	Deadline time.Time
	// Header is Request.Header: nil when the caller is not trusted.
	Header func(name string) string
	// Thrifty is Request.Thrifty: cost comes before speed.
	Thrifty bool
}

// factsOf measures a request of model m. pre: req.Req is valid, and
// Enqueued and the deadline set (complete).
func factsOf(req *Request, m Model) Facts {
	f := Facts{
		Model:    req.Model,
		Rows:     1,
		Priority: req.Priority,
		SLO:      m.SLO,
		Due:      Due(req.Enqueued, m.SLO, req.Deadline),
		Deadline: req.Deadline,
		Header:   req.Header,
		Thrifty:  req.Thrifty,
	}
	if rows, err := req.Req.Rows(); err == nil && rows > 1 {
		f.Rows = rows
	}
	f.DataBytes = req.Req.DataBytes()
	for i := range req.Req.Inputs {
		t := &req.Req.Inputs[i]
		f.Elements += max(t.NumElements(), 0)
		f.Bytes += int64(len(t.Raw))
		for _, e := range t.Elems {
			f.Bytes += int64(len(e))
		}
	}
	return f
}

// item turns a request into a batcher item for one attempt; every attempt
// keeps the request's arrival time, deadline and due time (f.Due), which
// the batcher takes as they are.
func item(req *Request, m Model, f Facts) *batcher.Item {
	it := itemOf(req, m, f)
	return &it
}

// itemOf is item's value.
func itemOf(req *Request, m Model, f Facts) batcher.Item {
	rows := int64(1)
	if m.Batching {
		rows = f.Rows
	}
	return batcher.Item{
		Model:    req.Model,
		Version:  req.Version,
		Req:      req.Req,
		Priority: req.Priority,
		Rows:     rows,
		Bytes:    f.DataBytes,
		Key:      batcher.RequestKey(req.Model, req.Version, req.Req),
		Enqueued: req.Enqueued,
		Deadline: req.Deadline,
		Due:      f.Due,
		Tenant:   req.Tenant,
		Weight:   req.Weight,
	}
}
