package main

import (
	"log/slog"
	"os"
	"strings"
)

// thpEnabledFile is where Linux shows its transparent huge page mode.
const thpEnabledFile = "/sys/kernel/mm/transparent_hugepage/enabled"

// thpMode returns the mode a transparent_hugepage/enabled file selects:
// the word in brackets ("always [madvise] never" → "madvise"), or "" if
// none is.
func thpMode(content string) string {
	for _, w := range strings.Fields(content) {
		if len(w) > 2 && w[0] == '[' && w[len(w)-1] == ']' {
			return w[1 : len(w)-1]
		}
	}
	return ""
}

// logHugePages tells the operator when Go's heap gets no huge pages:
// only with the mode "always" does it, and every 4 KiB the state grows
// into then costs a page fault (README, Running it for real). Silent
// where the file does not exist (not Linux, no THP support).
func logHugePages(logger *slog.Logger, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if mode := thpMode(string(b)); mode != "always" {
		logger.Info("transparent huge pages are not 'always': Go's heap gets none, and ingest pays a page fault for every 4 KiB the state grows (README: Running it for real)",
			"mode", mode, "file", path)
	}
}
