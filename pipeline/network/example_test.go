package network_test

import (
	"fmt"
	"log"
	"os"

	"github.com/paulmach/orb"

	"hubreach/pipeline/network"
)

// Nearest hub for two homes on the hand-made network in testdata/tiny.osm (see the drawing
// there): the walking and driving graphs differ because Back Lane is one-way and 2–5 is a
// footway.
func Example() {
	f, err := os.Open("testdata/tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	segs, _, err := network.ReadOSM(f, "tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	hubs := []orb.Point{{486150, 308980}, {485970, 309040}} // 20 m off Main Street; 30 m off 1-4
	homes := []orb.Point{{486050, 309120}, {486150, 309100}}
	for _, mode := range []network.Mode{network.Walk, network.Drive} {
		g, err := network.Build(segs, mode, network.DefaultProfile())
		if err != nil {
			log.Fatal(err)
		}
		hubSnaps, errs := g.SnapAll(hubs, 500)
		for _, err := range errs {
			if err != nil {
				log.Fatal(err)
			}
		}
		tree, err := g.Nearest(hubSnaps)
		if err != nil {
			log.Fatal(err)
		}
		for i, h := range homes {
			s, err := g.Snap(h, 500)
			if err != nil {
				log.Fatal(err)
			}
			hub, sec, m, ok := tree.To(s)
			fmt.Printf("%v home %d: hub %d, %.0f m, %.1f min (reached %v)\n", mode, i, hub, m, sec/60, ok)
		}
	}
	// Output:
	// walk home 0: hub 1, 110 m, 1.4 min (reached true)
	// walk home 1: hub 0, 200 m, 2.5 min (reached true)
	// drive home 0: hub 0, 300 m, 0.8 min (reached true)
	// drive home 1: hub 0, 200 m, 0.5 min (reached true)
}

// A point with no usable way nearby fails with an error that says how far the nearest one is.
func ExampleGraph_Snap() {
	f, err := os.Open("testdata/tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	segs, _, err := network.ReadOSM(f, "tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	g, err := network.Build(segs, network.Walk, network.DefaultProfile())
	if err != nil {
		log.Fatal(err)
	}
	_, err = g.Snap(orb.Point{486200, 309250}, 100)
	fmt.Println(err)
	// Output:
	// point (486200.0, 309250.0): the nearest walk edge is 150.0 m away, more than the 100 m snapping distance
}
