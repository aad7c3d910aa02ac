package sim

import (
	"fmt"
	"math"
)

// burstNeed is what a policy without foresight needs to meet a share of
// a trace's requests through its first burst, by standingNeed.
type burstNeed struct {
	// Start is the burst's first second: the first whose rate is above
	// the trace's opening rate.
	Start int
	// Opening is the rows per second of the trace's opening second: what
	// a policy sizing on the demand it has seen holds before the burst.
	Opening float64
	// Standing is the least capacity, in rows per second, that must stand
	// before the burst; +Inf when no standing capacity within the pools'
	// Max is enough.
	Standing float64
	// Replicas is Standing in replicas of Pool.
	Replicas float64
	// Pool names the pool whose replicas stand: the cheapest per row
	// among those that serve every kind.
	Pool string
	// Ceiling is the most of the trace's requests, as a share, a policy
	// meets when it stands only what the opening demand needs (Opening in
	// replicas of Pool), under the same assumptions.
	Ceiling float64
	// Missed is the requests the burst misses at least with Standing.
	Missed float64
	// Allowed is the requests the share lets miss in the whole trace.
	Allowed float64
	// Cost is a lower bound, in USD, on the trace's cost for a policy that
	// holds Standing from the trace's start to the burst: the lower bound
	// of every second (LowerBound), with the standing replicas' price in
	// each second before the burst when that is more.
	Cost float64
}

// standingStep is the resolution of standingNeed's search, in replicas.
const standingStep = 0.1

// standingNeed works out how much capacity must stand before the first
// burst of tr on f for a policy without foresight to keep the share
// level of all requests within their SLO (ignoring the scripted events).
// Every assumption favours the policy, so the need is a lower bound: it
// sees the burst at its first second and starts at once every pool's Max
// replicas, whatever the budget, each serving from a cold start later;
// every replica serves its best throughput within the SLO (as
// LowerBound); no request outside the burst is late; and within a second
// rows are shed where they weigh most, so the misses are the rows the
// fleet cannot serve that second over the heaviest kind's rows. A
// request served a second after it arrived is late, as every SLO here is
// within a second. The standing capacity is replicas of the cheapest
// pool per row among those that serve every kind, in steps of a tenth
// of a replica. The burst must follow a flat opening: before it, nothing
// tells the policy that it comes, so what stands then is what stands
// always.
func standingNeed(f Fleet, tr Trace, level float64) (burstNeed, error) {
	f = f.withDefaults()
	if err := f.validate(); err != nil {
		return burstNeed{}, err
	}
	n := burstNeed{Start: burstStart(tr), Allowed: (1 - level) * tr.Expected()}
	b := newBounder(&f)
	pi := standingPool(&f, b)
	if n.Start < 0 || pi < 0 {
		return n, fmt.Errorf("%w: trace %q has no burst after a flat opening, or no pool serves every kind", ErrFleet, tr.Name)
	}
	n.Pool, n.Opening = f.Pools[pi].Name, rowsOf(&f, tr.Seconds[0])
	n.Replicas, n.Standing = math.Inf(1), math.Inf(1)
	n.Ceiling = 1 - burstMisses(&f, b, tr, n.Start, pi, n.Opening/b.rows[pi])/tr.Expected()
	for k := 0; float64(k)*standingStep <= float64(f.Pools[pi].Max); k++ {
		r := float64(k) * standingStep
		if m := burstMisses(&f, b, tr, n.Start, pi, r); m <= n.Allowed {
			n.Replicas, n.Standing, n.Missed = r, r*b.rows[pi], m
			break
		}
	}
	n.Cost = math.Inf(1)
	if !math.IsInf(n.Standing, 1) {
		n.Cost = standingCost(&f, b, tr, n.Start, n.Standing)
	}
	return n, nil
}

// burstStart returns the first second of tr above its opening rate; -1
// when there is none.
func burstStart(tr Trace) int {
	for i, s := range tr.Seconds {
		if s.RPS > tr.Seconds[0].RPS {
			return i
		}
	}
	return -1
}

// standingPool returns the pool that serves every kind at the lowest
// price per row; -1 when none does.
func standingPool(f *Fleet, b *bounder) int {
	best := -1
	for i, p := range f.Pools {
		if !f.serves(i, Light) || !f.serves(i, Heavy) || !(b.rows[i] > 0) {
			continue
		}
		if best < 0 || p.PricePerHour/b.rows[i] < f.Pools[best].PricePerHour/b.rows[best] {
			best = i
		}
	}
	return best
}

// rowsOf returns the rows per second of second s's demand.
func rowsOf(f *Fleet, s Second) float64 {
	d := secondDemand(s)
	return d[Light]*float64(f.Kinds[Light].Rows) + d[Heavy]*float64(f.Kinds[Heavy].Rows)
}

// burstMisses returns the requests missed from second start on with
// replicas of pool pi standing, under standingNeed's assumptions.
func burstMisses(f *Fleet, b *bounder, tr Trace, start, pi int, replicas float64) float64 {
	heaviest := float64(max(f.Kinds[Light].Rows, f.Kinds[Heavy].Rows))
	missed := 0.0
	for sec := start; sec < len(tr.Seconds); sec++ {
		var capLight, capHeavy, capAny float64
		for i, p := range f.Pools {
			n := float64(p.Min)
			if i == pi {
				n = max(n, replicas)
			}
			if sec >= start+int(math.Ceil(p.ColdStart.Seconds())) {
				n = float64(p.Max)
			}
			c := n * b.rows[i]
			capLight += c * boolTo(f.serves(i, Light))
			capHeavy += c * boolTo(f.serves(i, Heavy))
			capAny += c * boolTo(f.serves(i, Light) || f.serves(i, Heavy))
		}
		d := secondDemand(tr.Seconds[sec])
		l, h := d[Light]*float64(f.Kinds[Light].Rows), d[Heavy]*float64(f.Kinds[Heavy].Rows)
		// Hall's condition for two kinds: the most rows the pools serve.
		served := min(l+h, l+capHeavy, h+capLight, capAny)
		missed += (l + h - served) / heaviest
	}
	return missed
}

// boolTo returns 1 for true, 0 for false.
func boolTo(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// standingCost returns the lower bound of tr's cost (as LowerBound, with
// every pool up at its configured price) when standing rows per second
// of the standing pool's kind stand in every second before start.
func standingCost(f *Fleet, b *bounder, tr Trace, start int, standing float64) float64 {
	avail, prices := make([]bool, len(f.Pools)), make([]float64, len(f.Pools))
	for i, p := range f.Pools {
		avail[i], prices[i] = true, p.PricePerHour
	}
	held := demand{Heavy: standing / float64(f.Kinds[Heavy].Rows)}
	total := 0.0
	for sec, s := range tr.Seconds {
		perHour := b.perHour(secondDemand(s), avail, prices)
		if sec < start {
			perHour = max(perHour, b.perHour(held, avail, prices))
		}
		total += perHour / 3600
	}
	return total
}
