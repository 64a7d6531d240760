-- The siting scenarios side by side (written by the siting stage). One row per scenario in
-- siting.scenarios.
--
-- weight_total: the area's demand weight (income-deprived children, children 0-4, ...).
-- covered_before / covered_after: weight within the threshold (minutes, by mode) of an existing
--   hub / of an existing hub or a chosen site; beyond_before / beyond_after: weight whose travel
--   time was measured and is beyond the threshold, before / after.
-- lsoas_unmeasured, weight_unmeasured: LSOAs (and their weight) whose travel time by the mode
--   cannot be measured (demand point off the network, analysis.siting_lsoa.measured): never
--   covered and never beyond, so covered + beyond + unmeasured = weight_total, before and after;
--   pct_before and pct_after are of weight_total, lower bounds when any weight is unmeasured.
-- coverable: the most any number of new candidate sites could add.
-- value: the objective (mclp: weight newly covered; p-median: total weighted minutes, capped at
--   cost_cap_minutes for families with no site within reach). bound, gap, optimal, method: as in
--   siting_choice. heuristic_value and heuristic_gap: the heuristic's own answer and how far below
--   the final answer it fell (when the exact method ran, this is its gap to the proven optimum).
-- sensitivity_minutes, minutes_minus, minutes_plus, value_minus, value_plus: covering scenarios
--   with siting.sensitivity_minutes = s > 0: the scenario solved again at minutes - s and
--   minutes + s (same k, weight, constraints and method; existing coverage at the new threshold)
--   and its value (weight newly covered) there; which picks survive is in siting_choice
--   chosen_at_minus / chosen_at_plus. NULL for p-median, when the check is off, and (minus) when
--   minutes - s is not positive.
-- mode_asked / mode: the mode configured and the one used; mode_note says why they differ.
CREATE OR REPLACE TABLE analysis.siting_scenarios (
    scenario             VARCHAR NOT NULL,
    scenario_order       INTEGER NOT NULL,
    objective            VARCHAR NOT NULL,
    k                    INTEGER NOT NULL,
    chosen               INTEGER NOT NULL,
    mode_asked           VARCHAR NOT NULL,
    mode                 VARCHAR NOT NULL,
    mode_note            VARCHAR,
    minutes              DOUBLE NOT NULL,
    weight               VARCHAR NOT NULL,
    must_open            VARCHAR,
    min_spacing_m        DOUBLE,
    candidates           INTEGER NOT NULL,
    candidates_reaching  INTEGER NOT NULL,
    lsoas                INTEGER NOT NULL,
    weight_total         DOUBLE NOT NULL,
    covered_before       DOUBLE NOT NULL,
    covered_after        DOUBLE NOT NULL,
    newly_covered        DOUBLE NOT NULL,
    beyond_before        DOUBLE NOT NULL,
    beyond_after         DOUBLE NOT NULL,
    pct_before           DOUBLE,
    pct_after            DOUBLE,
    coverable            DOUBLE,
    value                DOUBLE NOT NULL,
    bound                DOUBLE,
    gap                  DOUBLE,
    optimal              BOOLEAN NOT NULL,
    method               VARCHAR NOT NULL,
    heuristic_value      DOUBLE,
    heuristic_gap        DOUBLE,
    cost_cap_minutes     DOUBLE,
    mean_minutes_before  DOUBLE,
    mean_minutes_after   DOUBLE,
    lsoas_unmeasured     INTEGER NOT NULL,
    weight_unmeasured    DOUBLE NOT NULL,
    sensitivity_minutes  DOUBLE,
    minutes_minus        DOUBLE,
    value_minus          DOUBLE,
    minutes_plus         DOUBLE,
    value_plus           DOUBLE
);
