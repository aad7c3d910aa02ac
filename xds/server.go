package xds

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"sync"
	"time"

	clusterservice "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	endpointservice "github.com/envoyproxy/go-control-plane/envoy/service/endpoint/v3"
	listenerservice "github.com/envoyproxy/go-control-plane/envoy/service/listener/v3"
	routeservice "github.com/envoyproxy/go-control-plane/envoy/service/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/log"
	xdsserver "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
)

// DefaultMinInterval is the least time between two publications when
// Options.MinInterval is zero.
const DefaultMinInterval = 250 * time.Millisecond

// Options configures a Server. The zero value publishes at most every
// DefaultMinInterval on the wall clock and logs nowhere.
type Options struct {
	// MinInterval is the least time between two publications: views handed
	// to Update within it are coalesced and the latest is published when
	// it has passed, so a change is published at most MinInterval after
	// its Update. 0 means DefaultMinInterval.
	MinInterval time.Duration
	// Clock times the rate limit; nil means the wall clock.
	Clock Clock
	// Logger receives publication failures and go-control-plane's own
	// logs (at debug level); nil discards them.
	Logger *slog.Logger
	// OnPublish, if non-nil, is called with the new version after every
	// publication that changed a resource, on the publishing goroutine,
	// with no lock held.
	OnPublish func(version string)
}

// Server is an xDS control plane: it serves ADS and the separate CDS, EDS,
// LDS and RDS services from a go-control-plane snapshot cache, with one
// snapshot per node group (see GroupOf), rebuilt from the Views handed to
// Update. It is safe for concurrent use.
//
// Versions are decimal integers that only grow. A publication gives a new
// version only to the resource kinds whose resources changed; the others
// keep theirs, so a client is sent only what changed, and nothing at all
// when nothing did.
type Server struct {
	caches    map[Flavor]cache.SnapshotCache
	xds       xdsserver.Server
	clock     Clock
	log       *slog.Logger
	gap       time.Duration
	onPublish func(string)
	wake      chan struct{} // capacity 1: a pending view awaits Run

	mu      sync.Mutex
	pending *View // latest view from Update not yet published
	last    *View // last view published (or found unchanged)
	lastAt  time.Time
	serial  uint64
	snaps   map[Flavor]*cache.Snapshot
	groups  map[string]Flavor       // every node group seen
	streams map[streamKey]nodeEntry // open streams, for dumps by node ID
}

// New returns a Server with nothing published: clients that connect before
// the first publication wait for it. ctx bounds the life of every xDS
// stream the server accepts.
func New(ctx context.Context, opts Options) *Server {
	s := &Server{
		clock:     opts.Clock,
		log:       opts.Logger,
		gap:       opts.MinInterval,
		onPublish: opts.OnPublish,
		wake:      make(chan struct{}, 1),
		snaps:     map[Flavor]*cache.Snapshot{},
		groups:    map[string]Flavor{},
		streams:   map[streamKey]nodeEntry{},
	}
	if s.gap == 0 {
		s.gap = DefaultMinInterval
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.caches = map[Flavor]cache.SnapshotCache{
		Envoy:     cache.NewSnapshotCache(true, groupHash{}, cacheLogger(s.log)),
		Proxyless: cache.NewSnapshotCache(false, groupHash{}, cacheLogger(s.log)),
	}
	s.xds = xdsserver.NewServer(ctx, s.muxCache(), s.callbacks())
	return s
}

// muxCache sends each request to its flavor's snapshot cache. Envoy's runs
// in ADS mode, which orders responses (clusters before endpoints, listeners
// before routes) but answers a request naming resources only when it names
// every resource of that kind in the snapshot, as Envoy does (every
// cluster's endpoints, every listener's routes). A proxyless client names
// only its targets' resources, so its cache is not in ADS mode and answers
// with what was named.
func (s *Server) muxCache() cache.Cache {
	caches := make(map[string]cache.Cache, len(s.caches))
	for f, c := range s.caches {
		caches[f.String()] = c
	}
	return &cache.MuxCache{
		Classify:      func(r *cache.Request) string { return FlavorOf(r.GetNode()).String() },
		ClassifyDelta: func(r *cache.DeltaRequest) string { return FlavorOf(r.GetNode()).String() },
		Caches:        caches,
	}
}

// cacheLogger routes go-control-plane's logs to l at debug level: they
// report per-request detail and failures that reach clients anyway.
func cacheLogger(l *slog.Logger) log.Logger {
	f := func(format string, args ...any) { l.Debug(fmt.Sprintf(format, args...)) }
	return log.LoggerFuncs{DebugFunc: f, InfoFunc: f, WarnFunc: f, ErrorFunc: f}
}

// Register adds ADS and the CDS, EDS, LDS and RDS services to r.
func (s *Server) Register(r grpc.ServiceRegistrar) {
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(r, s.xds)
	clusterservice.RegisterClusterDiscoveryServiceServer(r, s.xds)
	endpointservice.RegisterEndpointDiscoveryServiceServer(r, s.xds)
	listenerservice.RegisterListenerDiscoveryServiceServer(r, s.xds)
	routeservice.RegisterRouteDiscoveryServiceServer(r, s.xds)
}

// Update hands the server the current view; Run publishes it. It never
// blocks. A view equal to the last published one, with none pending, is
// dropped; otherwise it replaces any view still pending. The server owns v
// from then on.
func (s *Server) Update(v View) {
	s.mu.Lock()
	if s.pending == nil && s.last != nil && reflect.DeepEqual(*s.last, v) {
		s.mu.Unlock()
		return
	}
	s.pending = &v
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // Run is already due to look
	}
}

// Run publishes the views handed to Update, at most one per MinInterval,
// until ctx is done. A view that fails to build is logged and skipped; the
// last good snapshots stay. Run must be called at most once at a time.
func (s *Server) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		if d := s.delay(); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.clock.After(d):
			}
		}
		if v, ok := s.takePending(); ok {
			if err := s.Publish(v); err != nil {
				s.log.Error("xds: view not published", slog.Any("error", err))
			}
		}
	}
}

func (s *Server) delay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return publishDelay(s.lastAt, s.clock.Now(), s.gap)
}

func (s *Server) takePending() (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		return View{}, false
	}
	v := *s.pending
	s.pending = nil
	return v, true
}

// Publish builds both flavors' snapshots of v and sets them for every known
// node group at once, bypassing the rate limit. When no resource changed it
// sets nothing and keeps the version. It fails, setting nothing, when
// Build does. The server owns v from then on.
func (s *Server) Publish(v View) error {
	s.mu.Lock()
	version, err := s.publishLocked(v)
	s.mu.Unlock()
	if err == nil && version != "" && s.onPublish != nil {
		s.onPublish(version)
	}
	return err
}

// publishLocked returns the new version, or "" when nothing changed.
func (s *Server) publishLocked(v View) (string, error) {
	s.lastAt = s.clock.Now()
	if s.last != nil && reflect.DeepEqual(*s.last, v) {
		return "", nil
	}
	version := strconv.FormatUint(s.serial+1, 10)
	changed := map[Flavor]*cache.Snapshot{}
	for _, f := range Flavors {
		snap, err := Build(v, f, version)
		if err != nil {
			return "", err
		}
		if merged, ok := carryVersions(s.snaps[f], snap); ok {
			changed[f] = merged
		}
	}
	s.last = &v
	if len(changed) == 0 {
		return "", nil
	}
	s.serial++
	for f, snap := range changed {
		s.snaps[f] = snap
	}
	s.setGroupsLocked(changed)
	return version, nil
}

// setGroupsLocked sets the changed flavors' snapshots for their groups.
func (s *Server) setGroupsLocked(changed map[Flavor]*cache.Snapshot) {
	for group, f := range s.groups {
		if snap, ok := changed[f]; ok {
			s.setLocked(group, f, snap)
		}
	}
}

func (s *Server) setLocked(group string, f Flavor, snap *cache.Snapshot) {
	// SetSnapshot fails only when a watch's context is done; that client
	// is gone and gets the snapshot when it comes back.
	if err := s.caches[f].SetSnapshot(context.Background(), group, snap); err != nil {
		s.log.Debug("xds: setting snapshot", slog.String("group", group), slog.Any("error", err))
	}
}

// Version returns the version of the last publication that changed
// something; "" before the first.
func (s *Server) Version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serial == 0 {
		return ""
	}
	return strconv.FormatUint(s.serial, 10)
}

// Snapshot returns the current snapshot of a flavor; ok is false before
// the first publication. The snapshot must not be modified.
func (s *Server) Snapshot(f Flavor) (snap *cache.Snapshot, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok = s.snaps[f]
	return snap, ok
}
