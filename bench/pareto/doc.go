// Package pareto answers the question a user choosing a scaling approach
// asks: at the SLO I need, what does each approach cost?
//
// Sweep runs, for every scenario, every policy family of package sim over
// its declared grid of knobs, each point over several seeds, every run
// under the same budget cap (the simulator refuses starts over it). It
// brackets the cheapest possible cost at each SLO level: from below with
// sim.LowerBound, from above with oracle@α, the hindsight plan at the
// largest utilization cap whose simulated run reaches the level — a
// feasible plan, so no optimal policy costs more.
//
// For each family and level the report gives the cheapest configuration
// that reaches the level (SLO attainment of all requests at least the
// level, of high-priority requests at least HighTarget, and no request
// lost), or says the family cannot reach it and how close it came. Write
// puts the runs in pareto.json, the tables in pareto.md and a plot of
// cost against attainment per scenario in NAME.png.
//
// The package runs the simulations and formats their outcome; it does not
// read configuration files (the caller hands it a sim.Fleet and the
// scaler's spec) and does not time anything.
package pareto
