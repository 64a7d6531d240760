// Command hubreach runs the Family Hubs needs-analysis pipeline for an English local authority.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1 // the run failed (bad input, a stage error)
	exitUsage    = 2 // bad flags or configuration
	exitUnusable = 3 // validate: a configured input is unusable
)

type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	err := root.ExecuteContext(ctx)
	if err == nil {
		os.Exit(exitOK)
	}
	fmt.Fprintln(os.Stderr, "hubreach:", err)
	var ue usageError
	var ie inputsUnusable
	switch {
	case errors.As(err, &ue):
		os.Exit(exitUsage)
	case errors.As(err, &ie):
		os.Exit(exitUnusable)
	}
	os.Exit(exitFailed)
}
