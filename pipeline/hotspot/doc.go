// Package hotspot finds statistically significant clusters of high or low values (for
// hubreach, child income deprivation by LSOA): spatial weights, Getis-Ord Gi* z-scores with
// Benjamini-Hochberg false discovery rate control, and Anselin's local Moran's I with a
// conditional permutation test.
//
// The package takes plain Go values and orb geometries in British National Grid metres; it
// knows nothing about the store. A pipeline stage reads the LSOA values and geometries, calls
//
//	w, err := hotspot.NewWeights(spec, polys, centroids) // or Queen, DistanceBand, KNN
//	res, err := hotspot.Analyse(values, w, hotspot.Options{Seed: seed})
//
// and writes res.Units (one row per LSOA: gi_star_z, p_value, p_fdr, class, lisa_i, lisa_p,
// lisa_quadrant) to lsoa_hotspots and w.Pairs() (with indices mapped to LSOA codes) to
// weights_<kind>. Units are identified by their index in the input slices throughout.
//
// Islands (units with no neighbours) are never dropped: Weights.Islands lists them, Analyse
// returns them in Result.Islands, and their statistics are NaN with class "island".
//
// References:
//   - Getis, A. and Ord, J. K. (1992) The analysis of spatial association by use of distance
//     statistics. Geographical Analysis 24(3), 189-206.
//   - Ord, J. K. and Getis, A. (1995) Local spatial autocorrelation statistics: distributional
//     issues and an application. Geographical Analysis 27(4), 286-306.
//   - Anselin, L. (1995) Local indicators of spatial association - LISA. Geographical Analysis
//     27(2), 93-115.
//   - Benjamini, Y. and Hochberg, Y. (1995) Controlling the false discovery rate: a practical
//     and powerful approach to multiple testing. JRSS B 57(1), 289-300.
package hotspot
