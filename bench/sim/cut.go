package sim

// Cut returns the part of sc from second from up to second to (clamped to
// the trace), its events shifted to start at 0. Events before from that
// leave a lasting state (pool_down, pool_up, price) take effect at
// second 0, in order; earlier spot interruptions are dropped, and so are
// events at or after to. The name is kept.
func (sc Scenario) Cut(from, to int) Scenario {
	from = min(max(from, 0), len(sc.Trace.Seconds))
	to = min(max(to, from), len(sc.Trace.Seconds))
	out := Scenario{Name: sc.Name, Trace: Trace{Name: sc.Trace.Name, Seconds: sc.Trace.Seconds[from:to:to]}}
	for _, ev := range sc.Events {
		switch {
		case ev.Second >= to:
		case ev.Second >= from:
			ev.Second -= from
			out.Events = append(out.Events, ev)
		case ev.Kind != SpotInterrupt:
			ev.Second = 0
			out.Events = append(out.Events, ev)
		}
	}
	return out
}
