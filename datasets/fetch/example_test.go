package fetch_test

import (
	"fmt"

	"hubreach/datasets/fetch"
)

func ExampleLookup() {
	src, err := fetch.Lookup("iod2019-file3")
	if err != nil {
		panic(err)
	}
	fmt.Println(src.FileName)
	fmt.Println(src.Licence, src.URLVerified)
	// Output:
	// File_3_-_IoD2019_Supplementary_Indices_-_IDACI_and_IDAOPI.xlsx
	// OGL-UK-3.0 false
}
