// Package sim is a discrete-event simulator of a Sluice fleet: it replays
// a traffic scenario against the pools of a configuration under a scaling
// policy, on a simulated clock, and reports cost, SLO attainment, latency
// and failures, with a per-second timeline for plots.
//
// # What runs is production code
//
// Batches are formed by batcher.Queue (Push, Form, Expired) on simulated
// time; pools are chosen by router.DefaultPicker over snapshots built by
// the router's own view builder (router.ViewOf) from each pool's batcher
// statistics; the costaware policy is scaler.Decide on snapshots made by
// production's stats→snapshot adapter (internal/scaling.Snapshot, from
// the router's statistics and the replica counts as serve reads them),
// its shed directives mapped by internal/scaling.ShedLevel as serve maps
// them. The simulator
// re-implements only what happens outside the process: workers (one batch
// at a time, a batch of r rows taking Curve.Latency(r)), cold starts,
// billing, spot interruptions and the scripted events. Requests carry no
// tensors: a batcher Item with Key and Rows, pooled and reused.
//
// # A run
//
// Arrivals are Poisson within each trace second at that second's rate;
// each request is heavy with the second's heavy fraction and high, normal
// or low with probability 20, 70 and 10 %, drawn from a generator of its
// own so that every policy sees the same requests for a seed.
// Options.Arrivals replays given requests instead, such as those a real
// load run sent, so that a prediction and a measurement meet the same
// traffic. A light
// request is for Fleet.Kinds[Light]'s model and may go to its tier's
// pools; a heavy one weighs Kinds[Heavy].Rows rows and goes to its
// tier's. The scenario starts with the fleet the policy's Start chooses
// for the first second's load, already warm. Every Fleet.Interval the
// policy observes the fleet and decides each pool's size; new replicas
// are billed from that moment and serve after their cold start; a removed
// replica finishes its batch first. Spot replicas are lost at random
// (Fleet.SpotRate per replica-hour) and by spot_interrupt; pool_down
// loses a pool's replicas until pool_up; price changes the bill and the
// router's costs from then on.
//
// As in the router, a request whose batch fails on a lost replica is
// retried once elsewhere within the retry budget and its deadline, and a
// pool that loses its last ready replica sends its queue and its batches
// in flight to the other pools of their tiers. When the trace ends the run
// goes on until every accepted request is answered or past its deadline
// (Kind.Timeout, 30 s by default), which counts as a timeout; requests
// still open when the run must stop are lost.
//
// Billing is per second from the moment a replica is requested until it
// stops, with Fleet.MinBilling (60 s) at least per replica.
//
// A trace row lasts one second unless Options.Row compresses the scenario
// in time (row.go): rows then last less at their own rates, for runs
// whose fleet's time constants are compressed alike.
//
// # Policies
//
// Besides costaware, the baselines, each documented with what it models:
// static fleets for the trace's peak (static-peak, static-ondemand), the
// Kubernetes HorizontalPodAutoscaler scaling a tier's pools in lock-step
// (hpa), one per pool (hpa-per-pool) or on the cheapest GPU pool alone
// (hpa-cheapest-gpu), Knative's autoscaler (kpa), KEDA on queue length
// (queue), in-flight requests (keda-inflight) or rate (keda-rate), and
// oracle, the hindsight plan at full utilization. A Family is a policy
// with knobs and a grid of their values, as operators configure it;
// Families lists those a Pareto sweep compares, and each family's
// default is also the built-in policy of its name.
//
// OracleAt plans in hindsight at a utilization cap; at a cap whose run
// meets an SLO level it is a feasible plan, an upper bound on the best
// policy's cost at that level. LowerBound is the other side: every row
// at the cheapest price per row, fractional replicas, no queueing.
//
// # Budget
//
// Options.EnforceBudget makes Fleet.BudgetPerHour a cap on every policy
// alike: the simulator refuses a replica start that would take the
// fleet's price over it, growing the cheapest pools per row first.
// Without it only policies that keep a budget themselves keep one.
//
// # Speed
//
// A run is single-threaded: a binary heap of typed events (no closures)
// and the next arrival, drawn lazily; no goroutine, no per-request
// allocation beyond the pooled request, except what the production
// picker allocates. RunMatrix runs several scenarios and policies in
// parallel.
//
// The package does not load configuration files (bench/system turns one
// into a Fleet and a scaler.Spec, as serve reads it) and does not draw
// plots (package simplot does).
package sim
