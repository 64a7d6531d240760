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

// The time a family takes to drive TO its nearest hub: search the reverse graph from the hubs.
// On the hand-made network both homes are on the one-way Back Lane (6→5→4): from the hubs the
// car comes round by Main Street to hub 0; from the homes it follows Back Lane to node 4, 60 m
// from hub 1.
func ExampleGraph_Reverse() {
	f, err := os.Open("testdata/tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	segs, _, err := network.ReadOSM(f, "tiny.osm")
	if err != nil {
		log.Fatal(err)
	}
	g, err := network.Build(segs, network.Drive, network.DefaultProfile())
	if err != nil {
		log.Fatal(err)
	}
	hubs, errs := g.SnapAll([]orb.Point{{486150, 308980}, {485970, 309040}}, 500)
	homes, errs2 := g.SnapAll([]orb.Point{{486050, 309120}, {486150, 309100}}, 500)
	for _, err := range append(errs, errs2...) {
		if err != nil {
			log.Fatal(err)
		}
	}
	fromHubs, err := g.Nearest(hubs)
	if err != nil {
		log.Fatal(err)
	}
	toHubs, err := g.Reverse().Nearest(hubs)
	if err != nil {
		log.Fatal(err)
	}
	for i, h := range homes {
		hub, sec, m, _ := fromHubs.To(h)
		fmt.Printf("from the hubs to home %d: hub %d, %.0f m, %.1f min\n", i, hub, m, sec/60)
		hub, sec, m, _ = toHubs.To(h)
		fmt.Printf("from home %d to the hubs: hub %d, %.0f m, %.1f min\n", i, hub, m, sec/60)
	}
	// Output:
	// from the hubs to home 0: hub 0, 300 m, 0.8 min
	// from home 0 to the hubs: hub 1, 110 m, 0.3 min
	// from the hubs to home 1: hub 0, 200 m, 0.5 min
	// from home 1 to the hubs: hub 1, 210 m, 0.7 min
}
