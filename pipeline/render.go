package pipeline

// Render is the output stages: tables (CSV and Parquet), then maps and charts.
func Render() []Stage {
	return []Stage{Export(), StageFunc{N: "maps and charts", F: drawFirstOutputs}}
}
