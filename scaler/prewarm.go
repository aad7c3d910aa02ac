package scaler

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// prewarmSpec is a Prewarm with its schedule parsed.
type prewarmSpec struct {
	Prewarm
	sched cron.Schedule
	pool  int
}

// parseSchedule parses a pre-warm schedule: a standard five-field cron
// spec or a descriptor ("@daily"), optionally prefixed "CRON_TZ=Zone ". It
// refuses "@every", which has no fixed start times.
func parseSchedule(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("scaler: schedule %q: %w", spec, err)
	}
	if _, every := sched.(cron.ConstantDelaySchedule); every {
		return nil, fmt.Errorf("scaler: schedule %q: @every has no fixed start times", spec)
	}
	return sched, nil
}

func (s *Spec) compilePrewarm(p *problems) {
	for i, pw := range s.cfg.Prewarm {
		f := fmt.Sprintf("prewarm[%d]", i)
		sched, err := parseSchedule(pw.Schedule)
		if err != nil {
			p.addf("%s: %v", f, err)
		}
		if pw.Duration <= 0 {
			p.addf("%s: duration %v must be > 0", f, pw.Duration)
		}
		pi, ok := s.byName[pw.Pool]
		switch {
		case !ok:
			p.addf("%s: pool %q is not defined", f, pw.Pool)
		case pw.Min < 0 || pw.Min > s.pools[pi].Max:
			p.addf("%s: min %d must be between 0 and pool %q's max %d", f, pw.Min, pw.Pool, s.pools[pi].Max)
		}
		s.prewarm = append(s.prewarm, prewarmSpec{Prewarm: pw, sched: sched, pool: pi})
	}
}

// active reports whether now lies in one of the entry's windows, each
// moved lead earlier so that replicas with a cold start of lead are ready
// when the window opens: a window opening at a is active over
// [a-lead, a+Duration-lead).
func (pw prewarmSpec) active(now time.Time, lead time.Duration) bool {
	at := now.Add(lead)
	start := pw.sched.Next(at.Add(-pw.Duration)) // the first opening after at-Duration
	return !start.IsZero() && !start.After(at)
}

// prewarmMin returns the highest Min of the entries active for pool pi at
// now, and the entry that set it; ok is false when none is active.
func (s *Spec) prewarmMin(pi int, now time.Time) (minimum int, entry Prewarm, ok bool) {
	for _, pw := range s.prewarm {
		if pw.pool != pi || !pw.active(now, s.pools[pi].ColdStart) {
			continue
		}
		if !ok || pw.Min > minimum {
			minimum, entry, ok = pw.Min, pw.Prewarm, true
		}
	}
	return minimum, entry, ok
}
