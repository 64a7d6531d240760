package pipeline

// Render is the output stages: tables (CSV and Parquet), maps and charts, then the GIS layers
// (GeoJSON and GeoParquet) and the offline web map, then the report notebooks (which place the
// maps, charts and web map).
func Render() []Stage {
	return []Stage{Export(), StageFunc{N: "maps and charts", F: drawFirstOutputs}, Layers(), Report()}
}
