package notebook

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"hubreach/internal/numfmt"
)

// Suppressed is shown in place of a disclosure-controlled count (the GSS marker for "confidential").
const Suppressed = "[c]"

// Missing is shown for NULL outside suppressed columns.
const Missing = "–"

// value is one cell of a result, normalised from what the driver returned.
type value struct {
	null  bool
	num   bool    // a number: f holds it
	isInt bool    // an integer type (or a DECIMAL with scale 0)
	f     float64 // the number
	t     time.Time
	date  bool // DATE (no time of day)
	ts    bool // TIMESTAMP
	b     *bool
	s     string // text, or the driver's own rendering of anything else
}

type floater interface{ Float64() float64 }

// normalise turns a driver value into a value; dbType is the column's DatabaseTypeName.
func normalise(v any, dbType string) value {
	switch x := v.(type) {
	case nil:
		return value{null: true}
	case int8:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatInt(int64(x), 10)}
	case int16:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatInt(int64(x), 10)}
	case int32:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatInt(int64(x), 10)}
	case int64:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatInt(x, 10)}
	case int:
		return value{num: true, isInt: true, f: float64(x), s: strconv.Itoa(x)}
	case uint8:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatUint(uint64(x), 10)}
	case uint16:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatUint(uint64(x), 10)}
	case uint32:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatUint(uint64(x), 10)}
	case uint64:
		return value{num: true, isInt: true, f: float64(x), s: strconv.FormatUint(x, 10)}
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return value{num: true, isInt: true, f: f, s: x.String()}
	case float32:
		return value{num: true, f: float64(x), s: strconv.FormatFloat(float64(x), 'g', -1, 32)}
	case float64:
		return value{num: true, f: x, s: strconv.FormatFloat(x, 'g', -1, 64)}
	case bool:
		return value{b: &x, s: strconv.FormatBool(x)}
	case string:
		return value{s: x}
	case []byte:
		return value{s: fmt.Sprintf("(%d bytes)", len(x))}
	case time.Time:
		up := strings.ToUpper(dbType)
		return value{t: x, date: up == "DATE", ts: up != "DATE", s: x.String()}
	case floater: // duckdb.Decimal
		f := x.Float64()
		return value{num: true, isInt: f == math.Trunc(f) && strings.HasSuffix(strings.ToUpper(dbType), ",0)"), f: f, s: fmt.Sprint(v)}
	}
	return value{s: fmt.Sprint(v)}
}

// Thousands formats v rounded to dp decimal places with comma thousands separators:
// Thousands(21088, 0) = "21,088", Thousands(2983.94, 1) = "2,983.9".
func Thousands(v float64, dp int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Missing
	}
	return numfmt.Thousands(v, dp)
}

// Percent formats a percentage with one decimal: Percent(26.14) = "26.1%".
func Percent(v float64) string { return Thousands(v, 1) + "%" }

// UKDate formats a date as "24 November 2026".
func UKDate(t time.Time) string { return t.Format("2 January 2006") }

// format is how a column (or an inline value) is shown.
type format int

const (
	fmtAuto  format = iota
	fmtInt          // whole number
	fmtDec1         // one decimal place
	fmtDec2         // two decimal places
	fmtPct          // already a percentage
	fmtShare        // a fraction shown as a percentage
	fmtText         // as it is
	fmtDate         // date only
)

var filterNames = map[string]format{"int": fmtInt, "dec1": fmtDec1, "dec2": fmtDec2, "pct": fmtPct, "share": fmtShare, "text": fmtText, "date": fmtDate, "num": fmtAuto}

// render shows v in format f; suppress applies disclosure control with threshold: NULL (a value
// the disclosure-controlled table withheld) and counts from 1 to threshold-1 become the suppression
// marker. A count is a whole number in a column not shown as a rate (pct, share, dec1, dec2): a
// reach of 3.2% or 2.5 contacts per child is not a small count (the reach tables withhold a rate
// themselves, as NULL, when it would reveal one).
func (v value) render(f format, suppress bool, threshold int) string {
	if suppress {
		if v.null {
			return Suppressed
		}
		rate := f == fmtPct || f == fmtShare || f == fmtDec1 || f == fmtDec2
		if v.num && !rate && v.f == math.Trunc(v.f) && v.f >= 1 && v.f < float64(threshold) {
			return Suppressed
		}
	}
	if v.null {
		return Missing
	}
	if f == fmtText {
		if v.date {
			return v.t.Format("2006-01-02")
		}
		return v.s
	}
	if !v.t.IsZero() || v.date || v.ts {
		if v.date || f == fmtDate {
			return UKDate(v.t)
		}
		return UKDate(v.t) + " " + v.t.Format("15:04")
	}
	if v.b != nil {
		if *v.b {
			return "Yes"
		}
		return "No"
	}
	if !v.num {
		return v.s
	}
	switch f {
	case fmtInt:
		return Thousands(v.f, 0)
	case fmtDec1:
		return Thousands(v.f, 1)
	case fmtDec2:
		return Thousands(v.f, 2)
	case fmtPct:
		return Percent(v.f)
	case fmtShare:
		return Percent(100 * v.f)
	}
	if v.isInt || v.f == math.Trunc(v.f) {
		return Thousands(v.f, 0)
	}
	return Thousands(v.f, 1)
}

// withNoun follows the rendered number text with its noun: one when v is exactly 1 (shown as
// "1"), many otherwise, including a withheld or missing value ("[c] LSOAs").
func withNoun(v value, text, one, many string) string {
	n := many
	if v.num && v.f == 1 && text == "1" {
		n = one
	}
	if n == "" {
		return text
	}
	return text + " " + n
}
