package scaler

import "fmt"

// onDemandFloor adds to what tier ti placed on pools other than spot, the
// cheapest per inference first, until they hold OnDemandHigh of the
// tier's high-priority demand (see highShare), for a tier whose spot
// pools only pools as slow as themselves could replace (slowOnDemand).
// The floor comes on top of the spot placement, not out of it: the router
// sends each request to the cheapest pool that meets its SLO, so the
// replicas kept off spot stand ready for a spot loss rather than take a
// share of the traffic.
func (d *decision) onDemandFloor(ti int) {
	t, w := &d.spec.tiers[ti], &d.tiers[ti]
	want := d.cfg.OnDemandHigh * d.st.tiers[t.Name].high * w.demand
	if !t.slowOnDemand || !(want > 0) {
		return
	}
	for i, m := range t.members {
		if !d.spec.pools[m.pool].Spot {
			want -= w.alloc[i] * m.thr
		}
	}
	for i, m := range t.members {
		p, pw := &d.spec.pools[m.pool], &d.pools[m.pool]
		n := min(want/m.thr, float64(p.Max)-pw.alloc)
		if p.Spot || !(n > 0) {
			continue
		}
		w.alloc[i] += n
		pw.alloc += n
		want -= n * m.thr
		if n > pw.fillTop {
			pw.fillTop, pw.fillWhy = n, reason{ChangeForecast, fmt.Sprintf(
				"%s high-priority floor off spot %.0f rps", t.Name, n*m.thr)}
		}
	}
}
