// Package scaler decides how many replicas each pool should run, and what
// admission should do when the budget does not stretch to the demand.
//
// The policy is one pure function, Decide(spec, state, snapshot, now),
// which returns a Plan and the State to pass to the next call. It does no
// IO and reads no clock, so the simulator, the tests and production drive
// the same code. A Loop calls it at every tick of an injected ticker: it
// takes a Snapshot from a Source, decides, applies changed sizes through
// an Actuator and changed directives through an Admission, and keeps the
// current plan and the last decisions. The drivers live elsewhere
// (scaler/local, scaler/kubernetes, and scaler/keda, which serves the plan
// to KEDA); the wiring adapts them and the data plane's stats to the small
// interfaces declared here. The package imports only costmodel of Sluice.
//
// # Demand
//
// Demand is per tier, in items per second. Each tier's arrival rate is
// forecast with Holt's double exponential smoothing (a level and a trend,
// factors Forecast.Alpha and Forecast.Beta, the trend per second so that
// uneven ticks work), and provisioned as
//
//	demand(lead) = max(level, level + trend'·τ·(1 - e^(-lead/τ)))
//	             + max(ErrorBand·MAE, headroom)
//
// where lead is the cold start of the pool being filled (what is started
// now serves then), τ is Forecast.Damping, trend' is the trend but no
// more than the level rose per second over the panic window (a step
// that has stopped rising leaves a trend that the smoothing keeps for
// dozens of decisions), MAE is the mean absolute error of the one-step
// forecasts, smoothed by Forecast.ErrorGain, and headroom is the tier's
// standing headroom for the bursts it has seen (below). A falling trend
// does not lower the demand ahead of time. Besides the tier's forecast, each pool has its
// own floors, in replicas, at the SLO of the traffic it has
// (PoolSnapshot.SLO; the tightest SLO of its tiers when the snapshot does
// not say), so that a model with a tight SLO configured on a shared pool
// but sending nothing does not size it: arrivals plus
// its queue drained within QueueDrainTarget (the arrivals being its mean
// rate over QueueDrainTarget, or the last rate when higher and the ready
// replicas did not absorb it: none is ready, or its queue waits past the
// SLO at their pace; one second's burst that they served is not a rate
// that goes on), its p95 brought back under
// LatencyHeadroom of the SLO (replicas scaled by p95 / target), and its
// items in flight at its batch size. Any arrival or queued item wakes a
// pool scaled to zero. A pool's recommendation is
//
//	max(fill, queue, latency, in flight) + Warm
//
// # Supply, cost first
//
// Tiers are filled one at a time, those with the fewest eligible pools
// first, so that a tier with no choice claims shared pools before one with
// alternatives. A pool is eligible for a tier when a batch of one meets the
// tier's SLO; its throughput there is costmodel's Throughput at the SLO.
// Within a tier, pools are taken cheapest per inference first (ties: the
// faster cold start). Each pool takes, in replicas, within its Max:
//
//	demand(its cold start) − what the cheaper pools will serve by then
//
// where a cheaper pool counts with everything placed on it if it starts
// at least as fast, and otherwise only with its ready replicas. So a cheap
// pool that starts slowly is sized for the forecast at its own lead time,
// and the dearer, faster pools after it cover the gap, forecast error band
// included, until its new replicas are ready; then the stabilization
// window lets the cover go. A part placed on a pool moves to a cheaper one
// that starts at least as fast when the whole replicas it adds there cost
// less per hour than those it saves, so that a forecast a little higher
// at a slow pool's longer lead, or what a cheaper pool's rounding already
// covers, does not start a replica of a dear pool. Spot pools together
// take at most SpotShareMax of a tier's demand (by default all of it: a
// lost spot replica is covered by the other pools at once; a cap keeps
// capacity that no spot loss can take, at its price). For a tier with
// spot pools none of whose other pools starts faster than they do, a spot
// pool lost whole would leave its high-priority requests waiting a cold
// start that no faster pool can cut short; OnDemandHigh keeps that part
// of the tier's demand (the high class's share, smoothed as the level is)
// placed on its other pools too, cheapest per inference first, on top of
// what spot takes: the router sends requests to the cheapest pool, so the
// floor stands ready rather than takes traffic from spot. Fractions of
// replicas round up, but for the last 1 % of one.
//
// # Burst headroom
//
// A burst shorter than a cold start is served only by capacity that
// stands before it. Each tier remembers the bursts it has seen: the mean
// arrival rate over its fastest pool's cold start (at least PanicWindow)
// less the forecast's level that long before; and, when a pool of the
// tier queues more than its ready replicas serve within the SLO (the
// burst was not absorbed), the least capacity that would have served
// every window of the last QueueDrainTarget within the SLO (its items
// over its length plus the SLO), less the level that long before — a
// burst of one interval among quiet ones, which a mean over a minute's
// cold start dilutes, weighs as the queue it built. The larger is a
// maximum that halves every BurstMemory; the highest such rate is its
// peak. It keeps
//
//	headroom = min(burst, peak − level) − rise
//
// standing above its forecast, in place of the error band when larger,
// where rise is what the level has risen over that span (at least 0): a
// burst under way that the forecast already counts is not provisioned
// twice. The fill puts it on the cheapest pools that serve in time, and never
// provisions beyond the highest rate seen. The plan's
// HeadroomCostPerHour is what it adds to the fill's price (the fill is
// run once without it to know), each TierPlan's Headroom its size, and
// the reasons of the pools it sizes say "with N rps burst headroom". A
// BurstMemory of 0 keeps none.
//
// # Dynamics
//
// Scale-up is immediate. Scale-down follows the highest recommendation of
// the last Stabilization, as Kubernetes' HPA does, or of the last
// HoldColdStarts cold starts of the pool when that is shorter: keeping an
// idle replica for about as long as starting one costs is the rent-or-buy
// rule, so a fast pool that covered a burst gives its replicas back within
// a minute while a slow one keeps them for minutes. A pool's p95 above
// LatencyHeadroom of its SLO scales it in proportion, but not beyond its
// ready and starting replicas while some are starting: the p95 is the
// ready replicas' alone, and those starting answer it; nor while it is past
// the SLO itself, the wait of a backlog, which the queue floor sizes for
// and which is often drained before the p95 window forgets it. A tier
// panics when the mean arrival rate of the last PanicWindow exceeds
// PanicThreshold times the capacity of its ready replicas at its SLO (any
// arrival on none counts),
// as Knative's KPA does. In a panic each pool's forecast is only what has
// lasted its own cold start: the lowest forecast level of that long. The
// panic demand (unsmoothed) counts for a pool once the surge, panic window
// included, has lasted its cold start, and for every pool once the panic
// has outlasted a whole panic window: a blip shorter than that starts only
// the pools fast enough to help, while a surge that holds is a shift of
// the level, and the slow, cheap pools start for it at once rather than a
// cold start later. A pool's own floors keep the first rule: until the
// surge has lasted its cold start, a queue or p95 the surge built asks it
// for no more replicas than are ready or starting. Each
// pool keeps its size through a panic until one scale-down window of its
// own has passed without a surge;
// the panic itself ends after a full Stabilization window without one.
//
// # Minimums, warm pool, pre-warm, zero
//
// A pool's size stays within [Min, Max]. Warm replicas are added to every
// recommendation, so a pool with Warm > 0 never reaches zero. A Prewarm
// entry raises its pool's minimum for Duration from each time its cron
// schedule fires, starting the pool's cold start early. A pool with Min 0
// and no warm replicas scales to zero once its recommendations have been
// zero for a Stabilization window.
//
// # Budget
//
// The ceiling is Budget.PerHour, lowered when Budget.PerDay is set to what
// keeps the day within it: (PerDay − spent today) / hours to midnight,
// spending being estimated from the replicas observed at each decision. A
// plan over the ceiling loses replicas, down to their pools' Min (pre-warm
// and warm replicas are not spared), those that cost most per inference
// served within their pool's hold window first: a replica serves from when
// it is ready, so replicas not started yet go before starting ones, and
// those before ready ones; and the unstarted replicas of a slow pool can
// go before the ready ones of a fast pool dearer per inference at full use.
// A tier the cut leaves short of its current arrival rate is shed: low
// when the shortfall is within the low class's rate, normal as well beyond
// it, and fallback models beyond the low and normal rates together. Events
// report the cut and, once a day each, the projected spending crossing 50,
// 80 and 100 % of PerDay.
//
// # Spot
//
// A spot pool loses workers when the driver reports them interrupted or
// they vanish from what the previous plan kept. It then backs off for
// SpotBackoff: the fill counts only its ready replicas, so the tier's
// other pools (on-demand under the spot cap) cover the loss at once, while
// the spot pool keeps asking for its size at the loss. The back-off ends
// when SpotBackoff has passed since the last loss and its ready replicas
// are back; the stabilization window then releases the cover.
//
// # Reasons
//
// Each change in a plan carries one reason with its effect on the price,
// for example "gpu-spot 3→5: heavy forecast 620 rps over 540 at SLO;
// +2.40 $/h": the tier, what drove the demand at the pool's lead time, and
// the tier's ready capacity at its SLO.
package scaler
