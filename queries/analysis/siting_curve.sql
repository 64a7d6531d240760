-- Coverage against the number of new sites k, for each covering (mclp) scenario (written by the
-- siting stage): where the curve flattens, more sites add little.
-- coverage: weight newly within the threshold with the best k sites found (greedy prefix improved
--   by swaps); greedy: the plain greedy prefix; bound: an upper bound on the best any k sites can
--   reach; gap: (bound - coverage) / bound. covered_total and pct_covered add the weight existing
--   hubs already reach. marginal: coverage(k) - coverage(k-1).
CREATE OR REPLACE TABLE analysis.siting_curve (
    scenario      VARCHAR NOT NULL,
    k             INTEGER NOT NULL,
    coverage      DOUBLE NOT NULL,
    greedy        DOUBLE NOT NULL,
    bound         DOUBLE,
    gap           DOUBLE,
    marginal      DOUBLE,
    covered_total DOUBLE NOT NULL,
    pct_covered   DOUBLE
);
