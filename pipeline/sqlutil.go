package pipeline

import "hubreach/queries"

func mustSQL(table string) string { return queries.MustSQL(table) }
