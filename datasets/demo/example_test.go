package demo_test

import (
	"fmt"
	"os"

	"hubreach/datasets/demo"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "demo-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	m, err := demo.Write(dir, demo.Options{})
	if err != nil {
		panic(err)
	}
	hubs, _ := m.File(demo.FileHubs)
	contacts, _ := m.File(demo.FileServiceUse)
	fmt.Println(hubs.Rows, "hubs,", contacts.Rows, "contacts")
	// Output: 12 hubs, 20000 contacts
}
