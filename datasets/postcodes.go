package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"hubreach/internal/store"
	"hubreach/queries"
)

// NormalisePostcode puts a UK postcode in the form used for joins: upper case, every space
// removed ("s1  1aa" and "S1 1AA" both become "S11AA"). ok reports whether the result has the
// shape of a UK postcode: an outward code of one or two letters, a digit and an optional letter
// or digit (A9, A99, A9A, AA9, AA99, AA9A), then an inward code of a digit and two letters
// (plus the special "GIR0AA"). Only the shape is checked, not that the postcode exists. When ok
// is false the upper-cased, space-free string is still returned.
func NormalisePostcode(s string) (string, bool) {
	var buf [16]byte
	n := 0
	clean := true // s already upper case without spaces: return it without allocating
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			clean = false
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
			clean = false
		}
		if n == len(buf) {
			// Far too long for a postcode; fall back to the general path.
			out := strings.ToUpper(strings.Join(strings.Fields(s), ""))
			return out, false
		}
		buf[n] = c
		n++
	}
	var out string
	if clean {
		out = s
	} else {
		out = string(buf[:n])
	}
	return out, postcodeShape(buf[:n])
}

func postcodeShape(p []byte) bool {
	letter := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	n := len(p)
	if n < 5 || n > 7 {
		return false
	}
	if string(p) == "GIR0AA" {
		return true
	}
	// inward code: digit letter letter
	if !digit(p[n-3]) || !letter(p[n-2]) || !letter(p[n-1]) {
		return false
	}
	out := p[:n-3]
	// outward: A9 | A99 | A9A | AA9 | AA99 | AA9A
	switch len(out) {
	case 2:
		return letter(out[0]) && digit(out[1])
	case 3:
		return letter(out[0]) && ((digit(out[1]) && (digit(out[2]) || letter(out[2]))) || (letter(out[1]) && digit(out[2])))
	case 4:
		return letter(out[0]) && letter(out[1]) && digit(out[2]) && (digit(out[3]) || letter(out[3]))
	}
	return false
}

// Code-Point Open column positions in OS's original, headerless CSVs
// (Doc/Code-Point_Open_Column_Headers.csv): Postcode, Positional_quality_indicator, Eastings,
// Northings, Country_code, NHS_regional_HA_code, NHS_HA_code, Admin_county_code,
// Admin_district_code, Admin_ward_code.
const (
	cpoPostcode = 0
	cpoQuality  = 1
	cpoEasting  = 2
	cpoNorthing = 3
	cpoDistrict = 8
)

// Accepted header names of postcode lookup columns (compared after NormHeader folding).
var (
	postcodeNames = []string{"postcode", "pcd", "pcds", "pcd7", "pcd8", "post code"}
	qualityNames  = []string{"positional_quality", "positional_quality_indicator", "pqi", "quality"}
	eastingNames  = []string{"easting", "eastings", "oseast1m", "x"}
	northingNames = []string{"northing", "northings", "osnrth1m", "y"}
	districtNames = []string{"admin_district_code", "oslaua", "lad_code", "la_code", "laua", "local authority code"}
)

// National Grid extent (whole of Great Britain, metres). Code-Point Open covers GB, so postcodes
// are checked against the grid, not against England.
const gridMaxE, gridMaxN = 700_000.0, 1_300_000.0

// LoadPostcodes reads an OS Code-Point Open style postcode file into core.postcode: the CSV with a
// header (postcode, positional_quality, easting, northing, ..., admin_district_code), or one of
// OS's original headerless CSVs (detected when the first line starts with a postcode). Steps:
//  1. open the CSV (encoding and delimiter detected) and find the columns;
//  2. validate every row: postcode shape (normalised to upper case without spaces), numeric
//     easting/northing within the National Grid, positional quality 90 or (0, 0) rejected as "no
//     coordinates", duplicates rejected naming the first line;
//  3. in one transaction, append the rows to core.postcode (created when missing; postcodes already
//     there from an earlier file are replaced by this file's), and save the report.
func LoadPostcodes(ctx context.Context, db *store.DB, path string) (*Report, error) {
	rep := NewReport("postcodes", path)
	sum, err := FileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("postcodes: %w", err)
	}
	rep.SHA256 = sum
	f, err := OpenCSV(path)
	if err != nil {
		return nil, fmt.Errorf("postcodes: %w", err)
	}
	defer f.Close()

	type pcRow struct {
		postcode string
		x, y     float64
		quality  any // int16 or nil
		la       any // string or nil
	}
	var rows []pcRow
	seen := make(map[string]int64)

	iPC, iQ, iE, iN, iLA := -1, -1, -1, -1, -1
	var pending []string // the header line, when it is data
	if _, ok := NormalisePostcode(f.Header[0]); ok && len(f.Header) >= 4 {
		iPC, iQ, iE, iN = cpoPostcode, cpoQuality, cpoEasting, cpoNorthing
		if len(f.Header) > cpoDistrict {
			iLA = cpoDistrict
		}
		pending = append([]string(nil), f.Header...)
		rep.Note("no header line: read as OS Code-Point Open original columns (postcode, quality, easting, northing, ..., admin district in column 9)")
	} else {
		cols := NewColumns(f.Header)
		iPC, iE, iN = cols.Find(postcodeNames...), cols.Find(eastingNames...), cols.Find(northingNames...)
		iQ, iLA = cols.Find(qualityNames...), cols.Find(districtNames...)
		for _, c := range []struct {
			i     int
			want  string
			names []string
		}{{iPC, "postcode", postcodeNames}, {iE, "easting", eastingNames}, {iN, "northing", northingNames}} {
			if c.i < 0 {
				return nil, fmt.Errorf("postcodes: %w", MissingColumnError(path, c.want, c.names, f.Header))
			}
		}
	}
	colName := func(i int, def string) string {
		if pending != nil || i >= len(f.Header) {
			return def
		}
		return f.Header[i]
	}
	nPC, nQ, nE, nN := colName(iPC, "postcode"), colName(iQ, "positional_quality"), colName(iE, "easting"), colName(iN, "northing")

	for {
		var rec []string
		var line int64
		if pending != nil {
			rec, line, pending = pending, 1, nil
		} else {
			rec, line, err = f.Next()
			if err == io.EOF {
				break
			}
			var re *RowError
			if errors.As(err, &re) {
				rep.Read++
				rep.Reject(line, "", "", "the row cannot be split into fields: "+re.Err.Error())
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("postcodes: %s line %d: %w", path, line, err)
			}
		}
		rep.Read++
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		raw := field(iPC)
		pc, ok := NormalisePostcode(raw)
		if !ok {
			rep.Reject(line, nPC, raw, `not a UK postcode (expected the shape of "S60 1AE": outward code, then a digit and two letters)`)
			continue
		}
		var quality any
		q := 0
		if s := field(iQ); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > 100 {
				rep.Reject(line, nQ, s, "positional quality is not a whole number from 0 to 100 (Code-Point Open uses 10 to 90)")
				continue
			}
			q, quality = v, int16(v)
		}
		es, ns := field(iE), field(iN)
		e, errE := strconv.ParseFloat(es, 64)
		if errE != nil {
			rep.Reject(line, nE, es, "easting is not a number (expected metres on the British National Grid)")
			continue
		}
		n, errN := strconv.ParseFloat(ns, 64)
		if errN != nil {
			rep.Reject(line, nN, ns, "northing is not a number (expected metres on the British National Grid)")
			continue
		}
		if q == 90 {
			rep.Reject(line, nQ, "90", "no coordinates (positional quality 90: Code-Point Open could not place this postcode)")
			continue
		}
		if e == 0 && n == 0 {
			rep.Reject(line, nE+", "+nN, "0, 0", "no coordinates (easting and northing are 0, 0)")
			continue
		}
		if e < 0 || e > gridMaxE || n < 0 || n > gridMaxN {
			rep.Reject(line, nE+", "+nN, es+", "+ns, fmt.Sprintf("outside the British National Grid (expected easting 0..%.0f and northing 0..%.0f metres)", gridMaxE, gridMaxN))
			continue
		}
		if first, dup := seen[pc]; dup {
			rep.Reject(line, nPC, raw, fmt.Sprintf("postcode %s is listed twice: lines %d and %d (the first is kept)", pc, first, line))
			continue
		}
		seen[pc] = line
		var la any
		if s := field(iLA); s != "" {
			la = s
		}
		rows = append(rows, pcRow{pc, e, n, quality, la})
	}

	err = db.InTx(ctx, func() error {
		exists, err := db.TableExists(ctx, "core", "postcode")
		if err != nil {
			return err
		}
		var before int64
		if !exists {
			if _, err := db.Exec(ctx, queries.MustSQL("core.postcode")); err != nil {
				return fmt.Errorf("create core.postcode: %w", err)
			}
		} else if before, err = db.Count(ctx, "core.postcode"); err != nil {
			return err
		}
		err = db.Append(ctx, "core", "postcode", func(a *duckdb.Appender) error {
			for _, r := range rows {
				if err := a.AppendRow(r.postcode, r.x, r.y, r.quality, r.la); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Loaded = int64(len(rows))
		if before > 0 {
			// Postcodes loaded earlier from another file are replaced by this file's rows (appended
			// last, so with the highest row ids).
			res, err := db.Exec(ctx, `DELETE FROM core.postcode WHERE rowid IN (
				SELECT rowid FROM (
					SELECT rowid, row_number() OVER (PARTITION BY postcode ORDER BY rowid DESC) AS rn
					FROM core.postcode) WHERE rn > 1)`)
			if err != nil {
				return fmt.Errorf("core.postcode: replace earlier rows: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				rep.Note("%d postcodes already in core.postcode from an earlier file were replaced by this file's", n)
			}
		}
		if err := rep.Balanced(); err != nil {
			return err
		}
		return SaveReport(ctx, db, rep)
	})
	if err != nil {
		return nil, fmt.Errorf("postcodes %s: %w", path, err)
	}
	return rep, nil
}
