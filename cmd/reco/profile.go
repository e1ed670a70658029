package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile starts a CPU profile into path (nothing when path is
// empty) and returns the function that stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	return startRecording(path, "--cpuprofile", pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace starts an execution trace into path (nothing when path is
// empty) and returns the function that stops it and closes the file: for
// what a CPU profile cannot show, such as goroutines waiting for a lock or
// runnable but not running (go tool trace; -pprof=sync for lock waits).
func startTrace(path string) (stop func(), err error) {
	return startRecording(path, "--trace", trace.Start, trace.Stop)
}

// startRecording creates path and starts writing a recording into it;
// flag names the option in errors.
func startRecording(path, flag string, start func(io.Writer) error, stop func()) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return func() {
		stop()
		f.Close()
	}, nil
}

// writeHeapProfile writes a heap profile as of the last GC to path
// (nothing when path is empty).
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--memprofile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	return nil
}
