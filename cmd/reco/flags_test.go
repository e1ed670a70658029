package main

import (
	"strings"
	"testing"
)

// TestServeAndReplayRefuseBadFlags: the other commands' numeric flags are
// checked the same way, before anything starts.
func TestServeAndReplayRefuseBadFlags(t *testing.T) {
	tests := []struct {
		run  func(args []string) error
		args []string
		want string
	}{
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--batch", "0", "events.jsonl"}, "--batch is 0: want more than 0"},
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--rate", "-5", "events.jsonl"}, "--rate is -5: want 0 or more"},
		{func(a []string) error { return runReplay(t.Context(), a) }, []string{"--in-flight", "-1", "events.jsonl"}, "--in-flight is -1: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--fetch-max-bytes", "0"}, "--fetch-max-bytes is 0: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--cache-mb", "0"}, "--cache-mb is 0: want more than 0"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--cache-ttl", "-1s"}, "--cache-ttl is -1s: want 0 or more"},
		{func(a []string) error { return runServe(t.Context(), a) }, []string{"--snapshot-interval", "-1m"}, "--snapshot-interval is -1m0s: want 0 or more"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := tt.run(tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%q = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
}
