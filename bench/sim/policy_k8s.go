package sim

import (
	"math"
	"time"
)

// The defaults of the Kubernetes HorizontalPodAutoscaler controller
// (autoscaling/v2 with no behavior set), which the hpa and queue
// baselines keep.
const (
	hpaSyncPeriod  = 15 * time.Second
	hpaTolerance   = 0.1
	hpaDownWindow  = 5 * time.Minute
	hpaPolicyCycle = 15 * time.Second // periodSeconds of every default scaling policy
	hpaUpPods      = 4                // scale-up policy: add 4 pods per period ...
	hpaUpPercent   = 100              // ... or 100 %, whichever is more
	hpaDownPercent = 100              // scale-down policy: remove up to 100 % per period
)

// hpaPool is the state the HPA controller keeps for one scale target:
// its past recommendations (for the scale-down stabilization window) and
// its past scale events (for the rate policies).
type hpaPool struct {
	recs   []stamped // raw recommendations within hpaDownWindow
	ups    []stamped // replicas added, within hpaPolicyCycle
	downs  []stamped // replicas removed, within hpaPolicyCycle
	min    int       // the HPA's minReplicas (>= 1)
	max    int
	target int // the last replicas set
}

// stamped is a number at a time.
type stamped struct {
	at time.Duration
	n  int
}

// normalize turns the raw recommendation desired for a target now at
// current replicas into the replicas to set, as the controller's
// normalizeDesiredReplicasWithBehaviors does: it records desired, takes
// the largest recommendation of the scale-down window when scaling down
// (none is kept for scaling up, whose window is 0), limits the change by
// the default rate policies, clamps to [min, max], and records the scale
// event.
func (h *hpaPool) normalize(now time.Duration, current, desired int) int {
	h.recs = append(dropBefore(h.recs, now-hpaDownWindow), stamped{now, desired})
	h.ups, h.downs = dropBefore(h.ups, now-hpaPolicyCycle), dropBefore(h.downs, now-hpaPolicyCycle)
	rec := desired
	for _, r := range h.recs {
		rec = max(rec, r.n)
	}
	rec = min(max(current, desired), rec) // up: desired itself; down: the window's largest
	out := h.limitRate(current, rec)
	switch {
	case out > current:
		h.ups = append(h.ups, stamped{now, out - current})
	case out < current:
		h.downs = append(h.downs, stamped{now, current - out})
	}
	h.target = out
	return out
}

// limitRate bounds a change from current to desired by the default
// policies and by [min, max], as convertDesiredReplicasWithBehaviorRate
// does; a target outside [min, max] is brought inside at once.
func (h *hpaPool) limitRate(current, desired int) int {
	if current < h.min || current > h.max {
		return min(max(current, h.min), h.max)
	}
	start := current - sum(h.ups) + sum(h.downs)
	switch {
	case desired > current:
		up := max(start+hpaUpPods, int(math.Ceil(float64(start)*(1+hpaUpPercent/100.0))))
		return min(desired, min(h.max, max(up, current)))
	case desired < current:
		down := int(float64(start) * (1 - hpaDownPercent/100.0))
		return max(desired, max(h.min, min(down, current)))
	}
	return desired
}

// plainMetricReplicas is the controller's calcPlainMetricReplicas for a
// target with ready pods reporting an average usage ratio (metric over
// target) and unready pods still starting; ok is false when no pod
// reports, and the controller leaves the target alone.
func plainMetricReplicas(current, ready, unready int, ratio float64) (n int, ok bool) {
	if ready == 0 {
		return current, false
	}
	if unready == 0 || ratio <= 1 {
		if math.Abs(1-ratio) <= hpaTolerance {
			return current, true
		}
		return int(math.Ceil(ratio * float64(ready))), true
	}
	// Scaling up with unready pods: they count as using nothing.
	all := ready + unready
	newRatio := ratio * float64(ready) / float64(all)
	if math.Abs(1-newRatio) <= hpaTolerance || newRatio < 1 {
		return current, true
	}
	n = int(math.Ceil(newRatio * float64(all)))
	if n < current {
		return current, true
	}
	return n, true
}

// externalPerPodReplicas is the controller's
// GetExternalPerPodMetricReplicas: an external metric total against a
// per-pod target value.
func externalPerPodReplicas(current int, total, perPod float64) int {
	ratio := total / (perPod * float64(current))
	if math.Abs(1-ratio) > hpaTolerance {
		return int(math.Ceil(total / perPod))
	}
	return current
}

// dropBefore removes the leading entries older than or at cutoff.
func dropBefore(s []stamped, cutoff time.Duration) []stamped {
	i := 0
	for i < len(s) && s[i].at <= cutoff {
		i++
	}
	return append(s[:0], s[i:]...)
}

// sum adds up the numbers of s.
func sum(s []stamped) int {
	total := 0
	for _, e := range s {
		total += e.n
	}
	return total
}
