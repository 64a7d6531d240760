package datasets

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"hubreach/internal/store"
)

func TestLoadLAHierarchy(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := writeFile(t, "lu.csv", []byte("ltla19_name,ltla19_code,utla19_name,utla19_code\n"+
		"Rotherham,E08000018,Rotherham,E08000018\n"+
		"Cannock Chase,E07000192,Staffordshire,E10000028\n"+
		"Cannock again,E07000192,Staffordshire,E10000028\n"+
		"Nowhere,X123,Staffordshire,E10000028\n"))
	rep, err := LoadLAHierarchy(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 4 || rep.Loaded != 2 || rep.Rejected != 2 || rep.Balanced() != nil {
		t.Errorf("read %d loaded %d rejected %d", rep.Read, rep.Loaded, rep.Rejected)
	}
	want := []string{
		p + ` line 4, column "ltla19_code": value "E07000192": duplicate: this authority is already mapped on line 3`,
		p + ` line 5, column "ltla19_code": value "X123": not a lower-tier local authority code (expected E06, E07, E08 or E09 followed by 6 digits)`,
	}
	for i, w := range want {
		if got := rep.Rejects[i].Error(); got != w {
			t.Errorf("reject %d:\n got %s\nwant %s", i, got, w)
		}
	}
	_, err = LoadLAHierarchy(ctx, db, writeFile(t, "bad.csv", []byte("a,b\n1,2\n")))
	if err == nil {
		t.Error("no error for a file without code columns")
	}
}

func TestLoadLAHierarchyReal(t *testing.T) {
	p := filepath.Join(sharedData(t), "lookups", "ltla19_utla19.csv")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not found (%v): skipping", err)
	}
	ctx := context.Background()
	db, _ := store.Open(ctx, "")
	defer db.Close()
	rep, err := LoadLAHierarchy(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 339 || rep.Rejected != 0 {
		t.Errorf("read %d rejected %d (README: 339 rows)", rep.Read, rep.Rejected)
	}
	var n int
	// README: 151 English upper-tier authorities.
	db.QueryRow(ctx, `SELECT count(DISTINCT utla_code) FROM core.la_hierarchy WHERE utla_code LIKE 'E%'`).Scan(&n)
	if n != 151 {
		t.Errorf("%d English upper-tier authorities, README says 151", n)
	}
}
