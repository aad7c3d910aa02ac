// Package simplot draws the timeline of a simulation run as a PNG: the
// offered load, the replicas of each pool, the p99 latency per window
// against the SLOs, and the fleet's price per hour, one panel each over a
// shared time axis.
//
// It only draws; the numbers come from sim.Timeline.
package simplot
