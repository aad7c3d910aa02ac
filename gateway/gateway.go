package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/batcher"
	"github.com/sluice-gateway/sluice/oip"
	"github.com/sluice-gateway/sluice/router"
)

// Version is reported by server metadata.
const Version = "0.1.0"

// DefaultMaxBodyBytes bounds an HTTP request body when Options leaves it 0.
const DefaultMaxBodyBytes = 64 << 20

// Options configures a Gateway. Router is required; every other field has a
// default.
type Options struct {
	// Router maps models to pools.
	Router *router.Router
	// Logger receives one line per failed request; nil means slog.Default().
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes bounds an HTTP request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Gateway serves inference calls. It is safe for concurrent use.
type Gateway struct {
	router  *router.Router
	log     *slog.Logger
	now     func() time.Time
	maxBody int64
}

// New returns a gateway over opts.Router.
func New(opts Options) *Gateway {
	g := &Gateway{router: opts.Router, log: opts.Logger, now: opts.Now, maxBody: opts.MaxBodyBytes}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.maxBody <= 0 {
		g.maxBody = DefaultMaxBodyBytes
	}
	return g
}

// call is one inference call, whichever front end it came through.
type call struct {
	model   string
	version string
	// req is the decoded and validated request.
	req *oip.InferenceRequest
	// timeout is the client's own limit; 0 means none given.
	timeout time.Duration
	// priority is the class the call is queued in.
	priority batcher.Priority
}

// infer validates a call, queues it on the pool the router picks and waits
// for its answer. The deadline is the earliest of ctx's, the call's timeout
// and the model's default timeout.
func (g *Gateway) infer(ctx context.Context, c call) (*oip.InferenceResponse, error) {
	m, ok := g.router.Model(c.model)
	if !ok {
		return nil, errUnknownModel(c.model)
	}
	item, err := g.item(m, c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithDeadline(ctx, item.Deadline)
	defer cancel()
	pool, err := g.router.Pick(c.model)
	if err != nil {
		return nil, err
	}
	resp, err := pool.Submit(ctx, item)
	if err != nil {
		return nil, err
	}
	resp.ModelName = c.model
	if resp.ModelVersion == "" {
		resp.ModelVersion = c.version
	}
	return resp, nil
}

func errUnknownModel(name string) error {
	return fmt.Errorf("%w %q", router.ErrUnknownModel, name)
}

// item turns a call into a queue item. pre: c.req is valid.
func (g *Gateway) item(m router.Model, c call) (*batcher.Item, error) {
	rows := int64(1)
	if m.Batching {
		var err error
		if rows, err = c.req.Rows(); err != nil {
			return nil, err
		}
	}
	now := g.now()
	timeout := m.Timeout
	if c.timeout > 0 && c.timeout < timeout {
		timeout = c.timeout
	}
	return &batcher.Item{
		Model:    c.model,
		Version:  c.version,
		Req:      c.req,
		Priority: c.priority,
		Rows:     rows,
		Key:      c.model + "\x00" + c.version + "\x00" + c.req.BatchKey(),
		Enqueued: now,
		Deadline: now.Add(timeout),
		SLO:      m.SLO,
	}, nil
}

// ready reports whether a model can be served now.
func (g *Gateway) ready(model string) bool {
	_, err := g.router.Pick(model)
	return err == nil
}

// serverReady reports whether every model can be served now.
func (g *Gateway) serverReady() bool {
	for _, m := range g.router.Models() {
		if !g.ready(m) {
			return false
		}
	}
	return true
}

func (g *Gateway) metadata() oip.ServerMetadata {
	return oip.ServerMetadata{Name: "sluice", Version: Version, Extensions: []string{}}
}

// Model reports whether the gateway serves the named model.
func (g *Gateway) Model(name string) (router.Model, bool) { return g.router.Model(name) }
