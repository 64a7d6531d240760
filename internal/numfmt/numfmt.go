// Package numfmt formats numbers the way a committee paper prints them: comma thousands
// separators, a fixed number of decimals, halves rounded up (42.25 -> 42.3, as a reader rounding
// by hand would, not to even as strconv does on the binary value).
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Thousands formats v rounded to dp decimal places with comma thousands separators:
// Thousands(21088, 0) = "21,088", Thousands(2983.94, 1) = "2,983.9". NaN and infinities give "".
func Thousands(v float64, dp int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if dp < 0 {
		dp = 0
	}
	s := roundHalfUp(strconv.FormatFloat(math.Abs(v), 'f', -1, 64), dp)
	neg := v < 0 && strings.Trim(s, "0.") != ""
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Int formats a whole number: Int(32844) = "32,844".
func Int(n int64) string { return Thousands(float64(n), 0) }

// roundHalfUp rounds the decimal string s (digits, optionally a point and more digits) to dp
// decimals, halves up, working on the decimal digits so that 0.125 rounds to 0.13.
func roundHalfUp(s string, dp int) string {
	intPart, frac, _ := strings.Cut(s, ".")
	for len(frac) <= dp {
		frac += "0"
	}
	digits := []byte(intPart + frac[:dp])
	if frac[dp] >= '5' {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	n := len(digits) - dp
	if dp == 0 {
		return string(digits)
	}
	return string(digits[:n]) + "." + string(digits[n:])
}

// Count is n with its noun, singular for exactly one and plural otherwise, n formatted with
// thousands separators: Count(1, "LSOA", "LSOAs") = "1 LSOA", Count(2345, "site", "sites") =
// "2,345 sites", Count(0, "ward", "wards") = "0 wards".
func Count(n int64, one, many string) string {
	return Int(n) + " " + Plural(n, one, many)
}

// Plural is one when n is exactly 1 or -1 and many otherwise: Plural(1, "LSOA", "LSOAs") = "LSOA".
func Plural(n int64, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}
