package app

import (
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/scaler/local"
)

// sourceOp is what a reload does to the source of one pool's workers.
type sourceOp string

// The operations of a reload on a pool's workers.
const (
	// opAdd starts the workers of a pool the reload adds.
	opAdd sourceOp = "add"
	// opRemove stops those of a pool it removes, once the router's
	// retired pool has drained.
	opRemove sourceOp = "remove"
	// opUpdate gives a pool of the same kind its new settings: the
	// emulator's flags or the command for the processes started from
	// then on, the new addresses, or a new lookup.
	opUpdate sourceOp = "update"
	// opSwitch replaces a pool's source by that of its new kind.
	opSwitch sourceOp = "switch"
)

// sourceChange is one pool's operation in a reload.
type sourceChange struct {
	Pool string
	Op   sourceOp
}

// sourceChanges returns what a reload from old to next does to the pools'
// workers, in next's order of pools, the removed ones last by name: the
// pools it adds, removes, switches to another kind, and those of the same
// kind whose workers' settings change (flags, command, addresses, name,
// interval, protocol). Prices, bounds and the curve of a pool Sluice does
// not emulate change nothing here.
func sourceChanges(old, next *inForce) []sourceChange {
	var out []sourceChange
	before := map[string]configs.Pool{}
	for _, p := range old.cfg.Pools {
		before[p.Name] = p
	}
	for _, p := range next.cfg.Pools {
		prev, ok := before[p.Name]
		delete(before, p.Name)
		switch {
		case !ok:
			out = append(out, sourceChange{p.Name, opAdd})
		case prev.Kind(old.cfg.Scaler.Driver) != p.Kind(next.cfg.Scaler.Driver):
			out = append(out, sourceChange{p.Name, opSwitch})
		case !reflect.DeepEqual(sourceOf(old, prev), sourceOf(next, p)):
			out = append(out, sourceChange{p.Name, opUpdate})
		}
	}
	var removed []string
	for name := range before {
		removed = append(removed, name)
	}
	slices.Sort(removed)
	for _, name := range removed {
		out = append(out, sourceChange{name, opRemove})
	}
	return out
}

// source is what a pool's workers come from, as far as a reload can
// change it without a switch of kind.
type source struct {
	args      []string
	command   *local.Command
	endpoints []string
	dns       string
	interval  time.Duration
	protocol  string
}

// sourceOf returns where the workers of p, of what in holds, come from.
func sourceOf(in *inForce, p configs.Pool) source {
	s := source{endpoints: p.Endpoints, dns: p.DNS, interval: p.DNSInterval, protocol: p.Protocol}
	switch p.Kind(in.cfg.Scaler.Driver) {
	case configs.PoolEmulator:
		cost, _ := in.fleet.Pool(p.Name)
		s.args = workerArgs(cost)
	case configs.PoolCommand:
		s.command = commandOf(in.cfg, *p.Worker)
	}
	return s
}

// apply puts next's pools in force, as changes say: the removed pools'
// processes stop once drained is closed, so that the requests the
// router's retired pools hold are answered first.
func (w *workers) apply(next *inForce, changes []sourceChange, drained <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	pools := map[string]configs.Pool{}
	for _, p := range next.cfg.Pools {
		pools[p.Name] = p
	}
	var stopping []string
	for _, c := range changes {
		p := pools[c.Pool]
		switch c.Op {
		case opAdd:
			w.report(c, w.add(next, p, next.fleet.Bounds[p.Name].Initial))
		case opUpdate:
			w.report(c, w.update(next, p))
		case opSwitch:
			w.report(c, w.switchKind(next, p))
		case opRemove:
			if supervised(w.kinds[c.Pool]) {
				stopping = append(stopping, c.Pool)
			}
			w.stopLookup(c.Pool)
			delete(w.pools, c.Pool)
			delete(w.kinds, c.Pool)
			delete(w.asked, c.Pool)
		}
	}
	if len(stopping) > 0 {
		go w.removeDrained(stopping, drained)
	}
}

// report logs a change that failed.
func (w *workers) report(c sourceChange, err error) {
	if err != nil {
		w.log.Error("reload: a pool's workers", slog.String("pool", c.Pool), slog.String("change", string(c.Op)), slog.Any("error", err))
	}
}

// removeDrained stops the processes of the removed pools once drained
// is closed.
func (w *workers) removeDrained(pools []string, drained <-chan struct{}) {
	<-drained
	for _, name := range pools {
		if err := w.sup.RemovePool(name); err != nil && !errors.Is(err, local.ErrClosed) {
			w.log.Error("reload: stopping a removed pool's workers", slog.String("pool", name), slog.Any("error", err))
		}
	}
}

// update gives pool p, whose kind stays, its new settings. The processes
// of an emulator or command pool that run keep theirs until they exit;
// those started from then on, by a scale-up or a restart, take the new
// ones. pre: w.mu held.
func (w *workers) update(in *inForce, p configs.Pool) error {
	w.pools[p.Name] = p
	switch src := sourceOf(in, p); w.kinds[p.Name] {
	case configs.PoolEmulator:
		return w.sup.SetArgs(p.Name, src.args)
	case configs.PoolCommand:
		return w.sup.SetCommand(p.Name, src.command)
	case configs.PoolEndpoints:
		w.setFixed(p)
	case configs.PoolDNS:
		w.stopLookup(p.Name)
		w.startLookup(p)
	}
	return nil
}

// switchKind replaces the source of pool p's workers by that of its new
// kind: the old source stops first (the supervisor's processes are
// stopped as a scale-down stops them, draining), then the new one starts,
// the supervisor's at the size the scaler last asked, else the size the
// pool had, else its initial size. Until the new source's workers are
// ready, the pool has none. pre: w.mu held.
func (w *workers) switchKind(in *inForce, p configs.Pool) error {
	was, size := w.kinds[p.Name], w.sizeOf(in, p.Name)
	w.kinds[p.Name] = p.Kind(in.cfg.Scaler.Driver)
	w.stopLookup(p.Name)
	if supervised(was) {
		if err := w.sup.RemovePool(p.Name); err != nil {
			return err
		}
	}
	if !supervised(was) || !supervised(w.kinds[p.Name]) {
		if err := w.rt.SetEndpoints(p.Name, nil); err != nil {
			return err
		}
	}
	return w.add(in, p, size)
}

// sizeOf returns the size a pool that switches to a kind Sluice runs
// starts at. pre: w.mu held.
func (w *workers) sizeOf(in *inForce, pool string) int {
	if n, ok := w.asked[pool]; ok {
		return n
	}
	if supervised(w.kinds[pool]) {
		ready, starting := w.sup.Replicas(pool)
		return ready + starting
	}
	return in.fleet.Bounds[pool].Initial
}
