// Package siting chooses sites for Family Hub satellites from a list of candidate buildings.
//
// Two location models are solved on plain Go values (no database):
//
//   - the maximal covering location problem (MCLP): choose k candidates that newly cover the most
//     demand weight (income-deprived children, children aged 0-4, ...), where candidate j covers
//     demand point i when the travel time or distance between them is within a threshold, and demand
//     already covered by existing hubs counts for nothing;
//   - the p-median problem: choose k candidates that minimise the weighted travel cost from every
//     demand point to its nearest site, existing or new.
//
// Coverage and costs are computed elsewhere (on the road network) and passed in as sparse lists per
// candidate. Every heuristic answer comes with a bound on the optimum, so that a caller can say how far
// from the best possible it can be:
//
//   - [MaxCover]: lazy greedy (submodularity lets stale gains act as upper bounds), then 1-opt swaps
//     (Teitz–Bart exchange with incremental coverage counts), then a Lagrangian upper bound whose
//     multipliers come from a restarted primal-dual method on the LP relaxation, with a
//     Lagrangian heuristic (relaxed solutions improved by swaps);
//   - [ExactMaxCover]: best-first branch and bound for small instances, with node and time limits;
//   - [PMedian]: lazy greedy, vertex substitution with fast interchange, and a Lagrangian lower bound;
//   - [CoverageCurve]: coverage for k = 1..K;
//   - [WriteLP]: the MCLP as a CPLEX LP file for CBC, GLPK or HiGHS.
//
// Optional [Constraints] apply to all of them: must-open sites, a minimum spacing between chosen
// sites, and a cap on the number of chosen sites per ward or locality.
package siting
