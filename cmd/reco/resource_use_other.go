//go:build !unix

package main

import "time"

// processUse reports nothing where there is no getrusage (Windows): the
// ingest benchmark then leaves out its CPU, fault and sleep figures
// rather than print zeros.
func processUse() (cpu time.Duration, faults, sleeps int64, ok bool) {
	return 0, 0, 0, false
}
