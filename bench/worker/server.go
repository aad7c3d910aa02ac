package worker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sluice-gateway/sluice/oip"
)

// DefaultName is the worker name used when Options.Name is empty.
const DefaultName = "sluice-worker"

// DefaultGrace is the shutdown grace used when Options.Grace is zero.
const DefaultGrace = 10 * time.Second

// serverVersion is what server metadata reports as the version.
const serverVersion = "1"

// Options configures a Server. The zero value is a worker named
// DefaultName whose device takes no time, with unlimited batches, ready at
// once, on the real clock, logging nowhere.
type Options struct {
	// Name is reported by server metadata and logs; empty means DefaultName.
	Name string
	// Base is the fixed latency of every batch on the device; >= 0. A
	// batch of b rows takes Base + PerItem·b, b < 1 counting as 1.
	Base time.Duration
	// PerItem is the latency each row adds to a batch; >= 0.
	PerItem time.Duration
	// MaxBatch is the most rows one request may carry; 0 means unlimited.
	MaxBatch int
	// ColdStart is how long after New the server reports not ready and
	// refuses inference; 0 means ready at once.
	ColdStart time.Duration
	// Grace bounds the graceful shutdown of Serve, in real time; 0 means
	// DefaultGrace.
	Grace time.Duration
	// Slowdown multiplies the latency of every batch on the device,
	// emulating a replica slower than its pool's curve (throttled or
	// failing hardware): a batch of b rows takes Slowdown·(Base +
	// PerItem·b). 0 means 1, no slowdown; must be finite and >= 0.
	Slowdown float64
	// Garbage makes every inference that would succeed answer with a
	// malformed response instead, with status 200 (HTTP) or OK (gRPC):
	// the kinds of Garbage in turn. Liveness, readiness, metadata and
	// error answers stay correct, as on a server whose model is broken.
	// False, the default, answers correctly.
	Garbage bool
	// Clock times the cold start and the device's work; nil means the real
	// clock.
	Clock Clock
	// Logger receives life-cycle and internal-error logs; nil discards them.
	Logger *slog.Logger
}

// Server serves the built-in models on one emulated device. Create it with
// New; it is safe for concurrent use.
type Server struct {
	name    string
	max     int64
	readyAt time.Time
	grace   time.Duration
	clock   Clock
	log     *slog.Logger
	dev     *device
	garbage *garbler          // nil unless Options.Garbage
	models  map[string]*model // read-only after New
}

// New returns a Server whose cold start begins now (by opts.Clock). It
// fails, wrapping ErrOptions, when a duration, MaxBatch or Slowdown is
// negative, or Slowdown is not finite.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return &Server{
		name:    opts.Name,
		max:     int64(opts.MaxBatch),
		readyAt: opts.Clock.Now().Add(opts.ColdStart),
		grace:   opts.Grace,
		clock:   opts.Clock,
		log:     opts.Logger,
		dev:     newDevice(opts.curve(), opts.Clock),
		garbage: newGarbler(opts.Garbage),
		models:  builtinModels(),
	}, nil
}

func (o Options) validate() error {
	durations := []struct {
		key string
		d   time.Duration
	}{{"base", o.Base}, {"per_item", o.PerItem}, {"cold_start", o.ColdStart}, {"grace", o.Grace}}
	for _, f := range durations {
		if f.d < 0 {
			return fmt.Errorf("%s = %v, must not be negative: %w", f.key, f.d, ErrOptions)
		}
	}
	if o.MaxBatch < 0 {
		return fmt.Errorf("max_batch = %d, must not be negative: %w", o.MaxBatch, ErrOptions)
	}
	return o.validateFaults()
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Ready reports whether the cold start has passed.
func (s *Server) Ready() bool { return s.ReadyAt(s.clock.Now()) }

// ReadyAt reports whether the cold start has passed at now.
func (s *Server) ReadyAt(now time.Time) bool { return !now.Before(s.readyAt) }

// Stats returns what the device has served, all models together.
func (s *Server) Stats() Stats { return s.dev.counts.stats("") }

// ModelStats returns what the device has served for one model, or an
// error wrapping ErrUnknownModel.
func (s *Server) ModelStats(name string) (Stats, error) {
	m, err := s.lookup(name, "")
	if err != nil {
		return Stats{}, err
	}
	return m.counts.stats(name), nil
}

// Waiting returns how many requests are waiting for the device now, not
// counting the one on it.
func (s *Server) Waiting() int { return s.dev.waiting() }

// ServerMetadata describes the worker.
func (s *Server) ServerMetadata() oip.ServerMetadata {
	return oip.ServerMetadata{Name: s.name, Version: serverVersion, Extensions: []string{}}
}

// ModelMetadata describes a model. version may be empty or "1"; anything
// else fails with ErrUnknownVersion, an unknown name with ErrUnknownModel.
// The result shares its slices with the server and must not be modified.
func (s *Server) ModelMetadata(name, version string) (oip.ModelMetadata, error) {
	m, err := s.lookup(name, version)
	if err != nil {
		return oip.ModelMetadata{}, err
	}
	return m.meta, nil
}

// ModelReady reports whether a model can serve now; it fails as
// ModelMetadata does for unknown models and versions.
func (s *Server) ModelReady(name, version string) (bool, error) {
	if _, err := s.lookup(name, version); err != nil {
		return false, err
	}
	return s.Ready(), nil
}

// Infer runs req on the device as one batch and returns the model's
// outputs, only those requested when req names any. It fails, with the
// error wrapping the sentinel, on an unknown model (ErrUnknownModel) or
// version (ErrUnknownVersion), before the cold start has passed
// (ErrNotReady), on an invalid request (oip.ErrInvalid), on inputs the
// model rejects (ErrBadInput), on an unknown requested output
// (ErrUnknownOutput), on more rows than MaxBatch (ErrBatchTooLarge), and
// when ctx is done while waiting for the device. req must not be modified
// until Infer returns; the response may share req's element buffers.
func (s *Server) Infer(ctx context.Context, name, version string, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	m, err := s.admit(name, version)
	if err != nil {
		return nil, err
	}
	return s.infer(ctx, m, req)
}

// admit returns the model if it exists and the server is ready.
func (s *Server) admit(name, version string) (*model, error) {
	m, err := s.lookup(name, version)
	if err != nil {
		return nil, err
	}
	if !s.Ready() {
		return nil, fmt.Errorf("model %q: %w", name, ErrNotReady)
	}
	return m, nil
}

func (s *Server) lookup(name, version string) (*model, error) {
	m, ok := s.models[name]
	if !ok {
		return nil, fmt.Errorf("model %q: %w", name, ErrUnknownModel)
	}
	if version != "" && version != modelVersion {
		return nil, fmt.Errorf("model %q version %q: %w", name, version, ErrUnknownVersion)
	}
	return m, nil
}

// infer checks and computes everything before taking the device, so that
// rejected requests never hold it.
func (s *Server) infer(ctx context.Context, m *model, req *oip.InferenceRequest) (*oip.InferenceResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("model %q: %w", m.meta.Name, err)
	}
	rows := batchRows(req.Inputs)
	if s.max > 0 && rows > s.max {
		return nil, fmt.Errorf("model %q: %d rows, max batch %d: %w", m.meta.Name, rows, s.max, ErrBatchTooLarge)
	}
	outs, err := m.compute(req.Inputs)
	if err == nil {
		outs, err = selectOutputs(outs, req.Outputs)
	}
	if err != nil {
		return nil, fmt.Errorf("model %q: %w", m.meta.Name, err)
	}
	if err := s.dev.run(ctx, rows); err != nil {
		return nil, fmt.Errorf("model %q: %w", m.meta.Name, err)
	}
	m.counts.add(rows)
	return &oip.InferenceResponse{ModelName: m.meta.Name, ModelVersion: modelVersion, ID: req.ID, Outputs: outs}, nil
}
