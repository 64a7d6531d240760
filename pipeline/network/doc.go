// Package network computes travel distances and times on the OpenStreetMap road and path
// network, for walking and for driving, in British National Grid metres.
//
// It answers the access question of a Family Hubs needs analysis (how far, and how long, from
// each neighbourhood to its nearest hub) and feeds the siting stage (which neighbourhoods a
// candidate site reaches within a threshold). It takes and returns plain Go values; the
// pipeline stage reads the tables and writes the results.
//
// The steps:
//
//   - ReadOSM reads an .osm.pbf or .osm XML extract (the format is detected from the content)
//     and cuts every way a pedestrian or a car may use into Segments between consecutive nodes,
//     projected with bng.ToGrid. The tag rules (which classes, access tags, one-way streets,
//     maxspeed) are written out in tags.go. Stats counts what was read and why ways were left
//     out.
//   - Build makes the Graph for one Mode (Walk or Drive) from the segments and a Profile of
//     speeds: compact compressed-sparse-row arrays, edge lengths in metres and times in
//     seconds, one-way streets respected when driving. It labels weakly and strongly
//     connected components (Components, Islands) and indexes the edges on a grid.
//   - Graph.Snap attaches a point (a hub, a demand point) to the nearest position on the
//     nearest usable edge, preferring the largest strongly connected component, and fails
//     with a *TooFarError or *OutsideError a caller can record as the point's reason.
//   - Graph.Nearest runs one multi-source Dijkstra search from all hubs at once: every node
//     gets its nearest hub, time and distance; Tree.To reads the cost at a snapped demand
//     point (inside an edge). One search serves any number of demand points.
//   - Searcher.Bounded runs a search from one candidate site that stops at a time limit, for
//     the siting stage's thousands of candidates, reusing its buffers.
//   - Graph.Reverse is the same network with every arc turned round (built once by Build;
//     for walking, which costs the same both ways, it shares the arcs). Nearest and Bounded
//     on it measure towards the sources: the time a family takes to get TO the nearest hub
//     or TO a candidate, which one-way streets can make differ from the time from it.
//
// Costs are times: walking time is distance over the walking speed (so the quickest walk is
// the shortest); driving minimises time and reports the length of the quickest route.
// Distances are measured in the grid, which differs from ground distance by the National
// Grid's scale factor (0.9996 on the central meridian, about 0.9997 in Rutland): 0.03 %.
// The walk or drive between a point and the network (Snap.Dist) is not included in network
// costs; callers may add it at the relevant speed, and should report it.
package network
