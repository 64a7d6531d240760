package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hubreach/pipeline/disclosure"
)

// Reach is the stage that measures whom the hub network reaches, from the service-use extract
// (core.contact), with disclosure control on everything it publishes. It runs after the access
// stage (it reads analysis.lsoa_distance and analysis.lsoa_site_time for the distance decay).
//
// Steps:
//  1. write private.reach_params (run date, period, age band) and classify every contact
//     (private.reach_contact): counted, or left out for a reason — date after the run date,
//     outside the period, home LSOA missing, unknown or outside the area, age missing or outside
//     the band — each contact under the first reason that applies;
//  2. count, unsuppressed, in the private schema (never exported): children per area LSOA (a child
//     counts once, in the LSOA of their last counted contact), children seen more than once,
//     contacts, children and contacts by service and venue, children by LSOA and venue;
//  3. disclosure control (pipeline/disclosure) over all published counts together: small counts
//     withheld, secondary suppression across the LSOA, ward, locality, decile, deprivation and
//     time-band margins, then an audit of all the tables together (linear programming: the
//     least and greatest value a reader could deduce for each small count) that withholds
//     more until none can be narrowed; optional rounding; rates from the published counts;
//  4. write analysis.reach_by_lsoa, reach_by_ward, reach_by_locality, reach_by_decile,
//     reach_by_deprivation, reach_by_service, reach_by_venue, reach_exclusions, distance_decay
//     (fitted r(t) = a·exp(−b·t) to the nearest hub) and distance_decay_venue;
//  5. the render stage then draws maps/reach_by_lsoa, charts/reach_by_decile and
//     charts/distance_decay from the published tables (reach_draw.go).
//
// Reach is unique children (pseudonymised person_id) with a counted contact in the period
// (service_use.period_start/end; "" = the extract's first or last date up to the run date) whose
// age at the contact is in service_use.age_band, against analysis.lsoa_need children_0_4,
// children_0_15 or children_0_19. Without a service-use extract the stage notes so and does
// nothing.
func Reach() Stage { return StageFunc{N: "reach", F: runReach} }

// reachBands maps service_use.age_band to the denominator column of analysis.lsoa_need and the
// first age in months outside the band.
var reachBands = map[string]struct {
	column string
	limit  int
}{"0-4": {"children_0_4", 60}, "0-15": {"children_0_15", 192}, "0-19": {"children_0_19", 240}}

// reachSQL are the private tables, in order.
var reachSQL = []string{"reach_contact", "reach_child", "reach_lsoa_counts", "reach_service_counts",
	"reach_child_venue", "reach_venue_counts", "reach_pair_counts", "reach_exclusion_counts"}

// reachRun is what the stage knows about the run.
type reachRun struct {
	rule        disclosure.Rule
	band        string
	column      string // denominator column in analysis.lsoa_need
	denominator string // "children aged 0-4, ONS mid-2019 population estimates"
	from, to    string // the period
	runDate     string
}

func runReach(ctx context.Context, env *Env) error {
	ok, err := env.DB.TableExists(ctx, "core", "contact")
	if err != nil {
		return err
	}
	var n int64
	if ok {
		if n, err = env.DB.Count(ctx, "core.contact"); err != nil {
			return err
		}
	}
	if !ok || n == 0 {
		env.Note("reach: no service-use contacts loaded (inputs.service_use): reach, repeat engagement and distance decay not worked out")
		return nil
	}
	run, err := reachSetup(ctx, env)
	if err != nil {
		return err
	}
	for _, t := range reachSQL {
		env.Progress.Step("building private.%s", t)
		if _, err := env.DB.Exec(ctx, mustSQL("analysis."+t)); err != nil {
			return fmt.Errorf("private.%s (queries/analysis/%s.sql): %w", t, t, err)
		}
	}
	env.Progress.Step("disclosure control and reach tables")
	return reachPublish(ctx, env, run)
}

// reachSetup writes private.reach_params and notes what the figures are.
func reachSetup(ctx context.Context, env *Env) (*reachRun, error) {
	c := env.Config
	band, ok := reachBands[c.ServiceUse.AgeBand]
	if !ok {
		return nil, fmt.Errorf("service_use.age_band %q: expected 0-4, 0-15 or 0-19", c.ServiceUse.AgeBand)
	}
	run := &reachRun{rule: disclosure.Rule{Threshold: c.Disclosure.Threshold, RoundTo: c.Disclosure.RoundTo},
		band: c.ServiceUse.AgeBand, column: band.column}
	today := env.Now
	if today.IsZero() {
		today = time.Now()
	}
	runDate := today.Format("2006-01-02")
	run.runDate = runDate
	var lo, hi sql.NullString
	if err := env.DB.QueryRow(ctx, `SELECT strftime(min(contact_date), '%Y-%m-%d'), strftime(max(contact_date), '%Y-%m-%d')
		FROM core.contact WHERE contact_date <= ?::DATE`, runDate).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	run.from, run.to = c.ServiceUse.PeriodStart, c.ServiceUse.PeriodEnd
	span := []string{}
	if run.from == "" {
		run.from, span = lo.String, append(span, "start")
	}
	if run.to == "" {
		run.to, span = hi.String, append(span, "end")
	}
	if run.from == "" || run.to == "" { // every contact is in the future
		run.from, run.to = runDate, runDate
	}
	if run.from > run.to {
		return nil, fmt.Errorf("service_use.period_start %s is after period_end %s", run.from, run.to)
	}
	if _, err := env.DB.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS private`); err != nil {
		return nil, err
	}
	if _, err := env.DB.Exec(ctx, `CREATE OR REPLACE TABLE private.reach_params AS
		SELECT ?::DATE AS run_date, ?::DATE AS period_start, ?::DATE AS period_end, ? AS age_band, ?::INTEGER AS age_limit_months,
			?::INTEGER AS disclosure_threshold`,
		runDate, run.from, run.to, run.band, band.limit, run.rule.Threshold); err != nil {
		return nil, err
	}
	// Which population is the denominator, and its year.
	var source sql.NullString
	var year sql.NullInt64
	if err := env.DB.QueryRow(ctx, `SELECT any_value(children_source) FROM analysis.lsoa_need WHERE area_role = 'area'`).Scan(&source); err != nil {
		return nil, err
	}
	if ok, _ := env.DB.TableExists(ctx, "core", "population"); ok {
		if err := env.DB.QueryRow(ctx, `SELECT max(year) FROM core.population`).Scan(&year); err != nil {
			return nil, err
		}
	}
	switch {
	case run.band == "0-15" && source.Valid:
		run.denominator = "children aged 0-15, " + source.String
	case year.Valid:
		run.denominator = fmt.Sprintf("children aged %s, ONS mid-%d population estimates", run.band, year.Int64)
	default:
		run.denominator = "children aged " + run.band + ": no population estimates loaded (inputs.population), so no reach rates"
	}
	how := "as configured"
	if len(span) > 0 {
		how = "service_use.period " + strings.Join(span, " and ") + " not set: the extract's own"
	}
	env.Note("reach: unique children aged %s seen from %s to %s (%s), against %s (analysis.lsoa_need %s); run date %s",
		run.band, run.from, run.to, how, run.denominator, run.column, runDate)
	return run, nil
}
