package main

import (
	"os"
	"testing"
)

// TestMain lets tests run the real binary as a child process: with
// RECO_TEST_MAIN=1 the test binary is reco itself (args after "--").
func TestMain(m *testing.M) {
	if os.Getenv("RECO_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"reco"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
