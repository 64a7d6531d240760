package main

import (
	"fmt"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"hubreach/datasets/fetch"
)

func newFetchCmd() *cobra.Command {
	var cache, baseURL string
	var list bool
	cmd := &cobra.Command{
		Use:   "fetch [source ...]",
		Short: "Download the official input files into a cache (resumable, sha256-checked)",
		Long: `fetch downloads official input files (MHCLG Indices of Deprivation, ONS boundaries and lookups,
OpenStreetMap extracts, ...) from their publishers into a cache folder. Interrupted downloads resume
where they stopped; every file is checked against the sha256 in hubreach's registry, and a file
that does not match is removed with a message saying so. Files already in the cache and matching
are not downloaded again.

With no arguments it fetches every source; name sources (see --list) to fetch only those.
--base-url fetches from a mirror holding the same file names instead of the publishers.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			srcs, err := fetch.Sources()
			if err != nil {
				return err
			}
			if list {
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tLICENCE\tURL\tTITLE")
				for _, s := range srcs {
					u := s.URL
					if !s.URLVerified {
						u += " (unverified)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Key, s.Licence, u, s.Title)
				}
				return tw.Flush()
			}
			if len(args) > 0 {
				srcs = srcs[:0]
				for _, k := range args {
					s, err := fetch.Lookup(k)
					if err != nil {
						return usageError{err}
					}
					srcs = append(srcs, s)
				}
			}
			f := fetch.Fetcher{Client: &http.Client{Timeout: 30 * time.Minute}, BaseURL: baseURL}
			var failed int
			for _, s := range srcs {
				path, err := f.Fetch(cmd.Context(), s, cache, nil)
				if err != nil {
					failed++
					fmt.Fprintf(os.Stderr, "%s: %v\n", s.Key, err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n  %s\n", s.Key, path, s.Attribution)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d sources failed", failed, len(srcs))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&cache, "cache", ".cache/hubreach", "download cache folder")
	cmd.Flags().StringVar(&baseURL, "base-url", "", "fetch from this mirror (same file names) instead of the publishers")
	cmd.Flags().BoolVar(&list, "list", false, "list the sources with their licences and addresses")
	return cmd
}
