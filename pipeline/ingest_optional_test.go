package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hubreach/config"
	"hubreach/datasets/demo"
)

// optionalInputsConfig writes the demo area's inputs (a small extract) into a temporary folder
// and returns the demo configuration reading them, as a real area (area.synthetic false): that a
// broken input stops the run must not depend on the area being the generated one.
func optionalInputsConfig(t *testing.T) config.Config {
	t.Helper()
	root := t.TempDir()
	inputs := filepath.Join(root, "inputs")
	if _, err := demo.Write(inputs, demo.Options{Contacts: 300, Children: 100}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFile(filepath.Join(repoDir(t), "config", "demo.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.Output = inputs, filepath.Join(root, "out")
	cfg.Area.Synthetic = false
	return cfg
}

// writeInput writes a hand-made input file into the configuration's data folder and returns its
// name relative to it.
func writeInput(t *testing.T, cfg config.Config, name, text string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(cfg.DataDir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// A configured optional input that cannot be loaded (a misspelt file name, a file with the wrong
// header) is an error of validate and of the run, naming the input and the file; the run
// publishes nothing. Optional means "may be left unset", not "may be broken".
func TestConfiguredOptionalInputMustLoad(t *testing.T) {
	cases := []struct {
		name  string
		input string // the input's name, which the error must start with (after "ingest: ")
		// set breaks one optional input of cfg and returns the file the error must name
		set  func(t *testing.T, cfg *config.Config) string
		want string // what the loader says is wrong (a part of the message)
	}{
		{"candidates missing", "candidate sites", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Candidates = "candidates-2024.csv"
			return cfg.Path(cfg.Inputs.Candidates)
		}, "no such file"},
		{"candidates wrong header", "candidate sites", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Candidates = writeInput(t, *cfg, "cands_bad.csv", "ref,title,kind,x,y\nC1,Village hall,community,450000,330000\n")
			return cfg.Path(cfg.Inputs.Candidates)
		}, `required column "site_id" is missing`},
		{"localities missing", "localities", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Localities = "localities.csv"
			return cfg.Path(cfg.Inputs.Localities)
		}, "no such file"},
		{"localities wrong header", "localities", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Localities = writeInput(t, *cfg, "loc_bad.csv", "code,district\nE01900001,north\n")
			return cfg.Path(cfg.Inputs.Localities)
		}, `required column "lsoa_code or ward_code" is missing`},
		{"population wrong header", "population", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Population = writeInput(t, *cfg, "pop_bad.csv", "area,people\nE01900001,1500\n")
			return cfg.Path(cfg.Inputs.Population)
		}, `required column "LSOA code" is missing`},
		{"local authority lookup wrong header", "local authority lookup", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.LALookup = writeInput(t, *cfg, "la_bad.csv", "district,county\nE06900001,E10900001\n")
			return cfg.Path(cfg.Inputs.LALookup)
		}, "line 1"},
		{"postcodes missing", "postcodes", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Postcodes = "codepoint.csv"
			return cfg.Path(cfg.Inputs.Postcodes)
		}, "no such file"},
		{"road network missing", "road network", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.OSM = "roads-typo.osm"
			return cfg.Path(cfg.Inputs.OSM)
		}, "no such file"},
		{"second service-use extract missing", "service use contacts-2025.csv", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.ServiceUse = append(cfg.Inputs.ServiceUse, "contacts-2025.csv")
			return cfg.Path("contacts-2025.csv")
		}, "no such file"},
		// Every row rejected: the file loads nothing, which is as broken as not loading; the
		// error shows the first reject, since rejects.csv is not written.
		{"candidates all rejected", "candidate sites", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.Candidates = writeInput(t, *cfg, "cands_paris.csv", "site_id,name,type,lon,lat\n"+
				"C1,Bibliotheque,library,2.3522,48.8566\nC2,Mediatheque,library,2.3400,48.8600\n")
			return cfg.Path(cfg.Inputs.Candidates)
		}, "has no valid rows (2 read, all rejected; the first: line 2, column \"lon, lat\""},
		{"ward boundaries missing", "ward boundaries", func(t *testing.T, cfg *config.Config) string {
			cfg.Inputs.WardBoundaries = []string{"wards-2025.geojson"}
			return cfg.Path("wards-2025.geojson")
		}, "no such file"},
	}
	base := optionalInputsConfig(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.Inputs.ServiceUse = append([]string(nil), base.Inputs.ServiceUse...)
			cfg.Output = t.TempDir()
			file := c.set(t, &cfg)
			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error, want one naming %q and %s", what, c.input, file)
				}
				msg := err.Error()
				t.Logf("%s: %v", what, msg)
				if !strings.Contains(msg, c.input+": ") || !strings.Contains(msg, file) || !strings.Contains(msg, c.want) {
					t.Errorf("%s: error\n  %v\nwant it to name the input %q, the file %s and say %q", what, msg, c.input, file, c.want)
				}
			}

			res, err := Validate(context.Background(), cfg, nil)
			check("validate", err)
			for _, n := range res.Notes {
				if strings.Contains(n, c.input) {
					t.Errorf("validate: the broken input is also a note: %q", n)
				}
			}

			_, err = Run(context.Background(), cfg, []Stage{Ingest()}, Options{FromScratch: true})
			check("run", err)
			if err != nil && !strings.HasPrefix(err.Error(), "ingest: "+c.input+": ") {
				t.Errorf("run: error %q does not start %q", err, "ingest: "+c.input+": ")
			}
			if _, err := os.Stat(cfg.AreaDir()); err == nil {
				t.Error("run: a run with a broken input published its outputs")
			}
		})
	}
}

// An optional input that is not configured is skipped without an error or a note, and rows
// rejected from an optional file that otherwise loads are rejects, not a failure.
func TestOptionalInputUnsetOrWithRejects(t *testing.T) {
	base := optionalInputsConfig(t)

	t.Run("unset", func(t *testing.T) {
		cfg := base
		cfg.Output = t.TempDir()
		cfg.Inputs.Population, cfg.Inputs.WardBoundaries, cfg.Inputs.Localities = "", nil, ""
		cfg.Inputs.Postcodes, cfg.Inputs.Candidates, cfg.Inputs.OSM, cfg.Inputs.ServiceUse = "", "", "", nil
		res, err := Validate(context.Background(), cfg, nil)
		if err != nil {
			t.Fatalf("validate: %v", err)
		}
		if len(res.Reports) != 4 { // IoD, LSOA boundaries, centroids, hub sites
			var in []string
			for _, r := range res.Reports {
				in = append(in, r.Input+" "+filepath.Base(r.File))
			}
			t.Errorf("validate read %v, want only the IoD, LSOA boundaries, centroids and hubs", in)
		}
		info, err := Run(context.Background(), cfg, []Stage{Ingest()}, Options{FromScratch: true})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		for _, n := range append(res.Notes, info.Notes...) {
			if strings.Contains(n, "not loaded") || strings.Contains(n, "not usable") {
				t.Errorf("note about an input that was not configured: %q", n)
			}
		}
	})

	t.Run("rejected rows", func(t *testing.T) {
		cfg := base
		cfg.Output = t.TempDir()
		// Two good candidates and one placed in Paris (outside England): the file loads, the row
		// is rejected.
		cfg.Inputs.Candidates = writeInput(t, cfg, "cands_one_bad.csv", "site_id,name,type,lon,lat\n"+
			"C1,Placeholm Library,library,-1.128974,52.831142\n"+
			"C2,Demoton Library,library,-1.116261,52.895127\n"+
			"C3,Bibliotheque,library,2.3522,48.8566\n")
		res, err := Validate(context.Background(), cfg, nil)
		if err != nil {
			t.Fatalf("validate: %v", err)
		}
		var cands int
		for _, r := range res.Reports {
			if r.File == cfg.Path(cfg.Inputs.Candidates) {
				cands++
				if r.Read != 3 || r.Loaded != 2 || r.Rejected != 1 {
					t.Errorf("candidates: read %d, loaded %d, rejected %d; want 3, 2, 1", r.Read, r.Loaded, r.Rejected)
				}
			}
		}
		if cands != 1 {
			t.Fatalf("%d reports for the candidates file, want 1", cands)
		}
		if _, err := Run(context.Background(), cfg, []Stage{Ingest()}, Options{FromScratch: true}); err != nil {
			t.Fatalf("run: %v", err)
		}
		b, err := os.ReadFile(filepath.Join(cfg.AreaDir(), "rejects.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "cands_one_bad.csv") {
			t.Errorf("rejects.csv does not list the rejected candidate:\n%s", b)
		}
	})
}
