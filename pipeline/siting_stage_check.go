package pipeline

import (
	"context"
	"fmt"
	"math"
)

// The checks an asset manager needs before acting on a pick: how close it is to an existing hub,
// how marginal the demand it newly covers is, and whether it survives a standard a little
// stricter or looser (siting.sensitivity_minutes).

// sitingSensRun is a covering scenario solved again at another threshold.
type sitingSensRun struct {
	minutes float64
	value   float64      // weight newly covered at that threshold (given the existing hubs)
	chosen  map[int]bool // candidates chosen at that threshold
}

// sitingSens is a covering scenario's sensitivity: solved again at minutes − s and minutes + s.
// minus is nil when minutes − s is not positive.
type sitingSens struct {
	minus, plus *sitingSensRun
}

// sensitivity re-solves a covering scenario at its minutes ∓ env.Config.Siting.SensitivityMinutes
// with the same weights, constraints and solver (mclpAnswer), from the travel times already
// computed (sitingProblems searches up to minutes + s for covering scenarios). It returns nil when
// the check is off (0) or the scenario is not a covering one.
func (d *sitingData) sensitivity(ctx context.Context, env *Env, pr *sitingProblem) (*sitingSens, error) {
	s := env.Config.Siting.SensitivityMinutes
	if s <= 0 || pr.sc.Objective != "mclp" {
		return nil, nil
	}
	env.Progress.Step("siting scenario %q: solving again at %g minutes either side (siting.sensitivity_minutes)", pr.sc.Name, s)
	// Build the variants quietly: the scenario itself has already said what they would say
	// (missing weights, LSOAs off the network).
	quiet := *env
	quiet.Notes, quiet.Progress = nil, Quiet{}
	out := &sitingSens{}
	for _, m := range []float64{pr.sc.Minutes - s, pr.sc.Minutes + s} {
		if m <= 0 {
			continue
		}
		sc := pr.sc
		sc.Minutes = m
		v, err := d.buildProblem(ctx, &quiet, pr.index, sc)
		if err != nil {
			return nil, fmt.Errorf("sensitivity at %g minutes: %w", m, err)
		}
		res, _, err := mclpAnswer(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("sensitivity at %g minutes: %w", m, err)
		}
		run := &sitingSensRun{minutes: m, value: res.Value, chosen: map[int]bool{}}
		for _, site := range res.Sites {
			run.chosen[site.Candidate] = true
		}
		if m < pr.sc.Minutes {
			out.minus = run
		} else {
			out.plus = run
		}
	}
	return out, nil
}

// nearestHub is the existing hub site (any tier) nearest to pt in a straight line, and its
// distance in metres; -1 and +Inf when the area has no hub.
func (d *sitingData) nearestHub(pt [2]float64) (int, float64) {
	best, dist := -1, math.Inf(1)
	for n, h := range d.hubs {
		if m := math.Hypot(h.pt[0]-pt[0], h.pt[1]-pt[1]); m < dist {
			best, dist = n, m
		}
	}
	return best, dist
}

// sitingMargin is how marginal the n-th chosen site's gain is: the least amount by which the
// LSOAs it newly brings within the threshold (newlyBy == n) are now beyond it, in minutes to
// their nearest existing hub (pr.cur) less the threshold. It is NULL (nil) when the site newly
// covers no LSOA or when none of those it covers has an existing hub within the access
// searches' reach (their margin is unbounded).
func sitingMargin(pr *sitingProblem, st []sitingLSOAState, n int, minutes float64) any {
	m := math.Inf(1)
	for i, s := range st {
		if s.newlyBy == n {
			m = math.Min(m, pr.cur[i]-minutes)
		}
	}
	return nullInf(m)
}
