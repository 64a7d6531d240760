-- Sites chosen by each siting scenario, in order of selection (written by the siting stage,
-- pipeline/siting_stage.go). One row per scenario and chosen site.
--
-- marginal_gain: what this site adds on top of the sites chosen before it (gain_unit says in
--   what): for a covering (mclp) scenario the weight newly brought within the threshold; for a
--   p-median scenario the weighted travel minutes saved.
-- cumulative_coverage: the weight newly within the threshold with this site and those before it
--   (for mclp the marginal gains sum to it). unique_gain: what the answer would lose without it.
-- catchment_lsoas: the area's LSOAs within the threshold of this site; newly_covered_lsoas: those
--   of them that neither existing hubs nor earlier choices reach.
-- method: how the answer was found ('greedy+swap...' heuristic, or 'branch-and-bound');
--   optimal: proven optimal; bound and gap: an upper bound on the best coverage any choice of k
--   sites can reach (mclp) or a lower bound on the least weighted travel (p-median), and the
--   relative gap between the answer and that bound: the answer is within gap of the optimum.
-- mode: the mode actually used (crow when the area has no network for the mode asked for).
-- nearest_hub_site_id, nearest_hub_name, nearest_hub_m: the existing hub site (core.site role
--   'hub', any tier) nearest to the chosen site in a straight line, and how far, in metres.
-- margin_minutes: how marginal the gain is: the least amount by which the LSOAs this site newly
--   brings within the threshold (siting_lsoa.newly_by = site_id) are now beyond it, in minutes to
--   their nearest existing hub (siting_lsoa.minutes_before) less the threshold. 0.53 means one of
--   them is 20.53 minutes from a hub against a 20-minute threshold: a standard 0.53 minutes
--   looser would cover it without this site. NULL when the site newly covers no LSOA, or none of
--   those it covers has an existing hub within the access searches' reach.
-- chosen_at_minus, chosen_at_plus: covering scenarios, siting.sensitivity_minutes > 0: whether
--   the site is still chosen when the scenario is solved again (same k, weight, constraints and
--   method) at minutes - s and minutes + s (siting_scenarios.minutes_minus, minutes_plus). NULL
--   for p-median, when the check is off, and (minus) when minutes - s is not positive.
CREATE OR REPLACE TABLE analysis.siting_choice (
    scenario            VARCHAR NOT NULL,
    selection_order     INTEGER NOT NULL,
    site_id             VARCHAR NOT NULL,
    name                VARCHAR,
    site_type           VARCHAR,
    ward_code           VARCHAR,
    ward_name           VARCHAR,
    x                   DOUBLE,
    y                   DOUBLE,
    must_open           BOOLEAN NOT NULL,
    marginal_gain       DOUBLE NOT NULL,
    gain_unit           VARCHAR NOT NULL,
    cumulative_coverage DOUBLE NOT NULL,
    unique_gain         DOUBLE,
    catchment_lsoas     INTEGER NOT NULL,
    newly_covered_lsoas INTEGER NOT NULL,
    method              VARCHAR NOT NULL,
    optimal             BOOLEAN NOT NULL,
    bound               DOUBLE,
    gap                 DOUBLE,
    mode                VARCHAR NOT NULL,
    minutes             DOUBLE NOT NULL,
    nearest_hub_site_id VARCHAR,
    nearest_hub_name    VARCHAR,
    nearest_hub_m       DOUBLE,
    margin_minutes      DOUBLE,
    chosen_at_minus     BOOLEAN,
    chosen_at_plus      BOOLEAN
);
