package sim

import "math"

// flowEps is the least capacity a residual edge must have to carry flow.
const flowEps = 1e-9

// flowNet is a small network for min-cost flow with real capacities, the
// lower bound's transport of rows from kinds to pools. Edges are stored
// in pairs: edge e and its reverse e^1.
type flowNet struct {
	to   []int
	cap  []float64
	cost []float64
	out  [][]int // edge indexes leaving each node
}

// newFlowNet returns an empty network of n nodes.
func newFlowNet(n int) *flowNet { return &flowNet{out: make([][]int, n)} }

// add adds an edge from a to b that carries up to capacity at cost per
// unit. Edges of no capacity are left out.
func (g *flowNet) add(a, b int, capacity, cost float64) {
	if !(capacity > flowEps) {
		return
	}
	g.out[a] = append(g.out[a], len(g.to))
	g.to, g.cap, g.cost = append(g.to, b), append(g.cap, capacity), append(g.cost, cost)
	g.out[b] = append(g.out[b], len(g.to))
	g.to, g.cap, g.cost = append(g.to, a), append(g.cap, 0), append(g.cost, -cost)
}

// minCost sends as much flow as the network carries from s to t at the
// least cost (successive shortest paths, Bellman-Ford on the residual
// network) and returns that cost.
func (g *flowNet) minCost(s, t int) float64 {
	total := 0.0
	for {
		via := g.shortestPath(s)
		if via[t] < 0 {
			return total
		}
		push := math.Inf(1)
		for v := t; v != s; v = g.to[via[v]^1] {
			push = min(push, g.cap[via[v]])
		}
		for v := t; v != s; v = g.to[via[v]^1] {
			e := via[v]
			g.cap[e] -= push
			g.cap[e^1] += push
			total += push * g.cost[e]
		}
	}
}

// shortestPath returns, per node, the residual edge that reaches it on a
// cheapest path from s; -1 for s and for nodes not reached.
func (g *flowNet) shortestPath(s int) []int {
	n := len(g.out)
	dist, via := make([]float64, n), make([]int, n)
	for v := range dist {
		dist[v], via[v] = math.Inf(1), -1
	}
	dist[s] = 0
	for range n {
		changed := false
		for a := range n {
			if math.IsInf(dist[a], 1) {
				continue
			}
			for _, e := range g.out[a] {
				if b := g.to[e]; g.cap[e] > flowEps && dist[a]+g.cost[e] < dist[b]-1e-12 {
					dist[b], via[b], changed = dist[a]+g.cost[e], e, true
				}
			}
		}
		if !changed {
			break
		}
	}
	return via
}
