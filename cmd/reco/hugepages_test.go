package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTHPMode(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"always [madvise] never\n", "madvise"},
		{"[always] madvise never\n", "always"},
		{"always madvise [never]\n", "never"},
		{"always madvise never\n", ""},
		{"", ""},
		{"[]\n", ""},
	} {
		if got := thpMode(tc.content); got != tc.want {
			t.Errorf("thpMode(%q) = %q, want %q", tc.content, got, tc.want)
		}
	}
}

func TestLogHugePagesOnlyWhenNotAlways(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content string
		logged  bool
	}{
		{"always [madvise] never\n", true},
		{"always madvise [never]\n", true},
		{"[always] madvise never\n", false},
	} {
		path := filepath.Join(dir, "enabled")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		logHugePages(slog.New(slog.NewTextHandler(&out, nil)), path)
		if got := strings.Contains(out.String(), "transparent huge pages"); got != tc.logged {
			t.Errorf("content %q: logged %v, want %v (log %q)", tc.content, got, tc.logged, out.String())
		}
	}
	var out bytes.Buffer
	logHugePages(slog.New(slog.NewTextHandler(&out, nil)), filepath.Join(dir, "missing"))
	if out.Len() != 0 {
		t.Errorf("a missing file logged %q", out.String())
	}
}
