// Package simplot draws simulation results as PNG images: the timeline of
// one run (the offered load, the queue, the replicas of each pool, the
// p99 latency per window on a log axis against labelled SLO lines, and
// the fleet's price per hour, one panel each over a shared time axis),
// and the fronts of a Pareto sweep (cost against SLO attainment on a
// scale that spreads 0.9, 0.99 and 0.999 apart, with bounds marked).
// Axes have round ticks and legends sit beside the data, never over it.
//
// It only draws; the numbers come from sim.Timeline and the caller.
package simplot
