package numfmt

import (
	"math"
	"testing"
)

func TestThousands(t *testing.T) {
	for _, c := range []struct {
		v    float64
		dp   int
		want string
	}{
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{21088, 0, "21,088"},
		{1234567.891, 2, "1,234,567.89"},
		{2983.94, 1, "2,983.9"},
		{42.25, 1, "42.3"}, // halves up, on the decimal digits
		{0.125, 2, "0.13"},
		{999.95, 1, "1,000.0"},
		{-1234.5, 0, "-1,235"},
		{-0.04, 1, "0.0"}, // no "-0.0"
		{12345.4, 0, "12,345"},
		{math.NaN(), 0, ""},
	} {
		if got := Thousands(c.v, c.dp); got != c.want {
			t.Errorf("Thousands(%v, %d) = %q, want %q", c.v, c.dp, got, c.want)
		}
	}
	if got := Int(-32844); got != "-32,844" {
		t.Errorf("Int(-32844) = %q", got)
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 LSOAs"},
		{1, "1 LSOA"},
		{2, "2 LSOAs"},
		{-1, "-1 LSOA"},
		{11, "11 LSOAs"},
		{21088, "21,088 LSOAs"},
	} {
		if got := Count(c.n, "LSOA", "LSOAs"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Plural(1, "site", "sites") + "/" + Plural(3, "site", "sites"); got != "site/sites" {
		t.Errorf("Plural = %q", got)
	}
}
