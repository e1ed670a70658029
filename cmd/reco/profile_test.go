package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteHeapProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.prof")
	if err := writeHeapProfile(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f) // pprof's format: a gzipped protocol buffer
	if err != nil {
		t.Fatalf("not a gzipped profile: %v", err)
	}
	if b, err := io.ReadAll(zr); err != nil || len(b) == 0 {
		t.Fatalf("profile body: %d bytes, %v", len(b), err)
	}

	if err := writeHeapProfile(""); err != nil {
		t.Errorf("no path: %v, want nothing done", err)
	}
	err = writeHeapProfile(filepath.Join(t.TempDir(), "missing", "heap.prof"))
	if err == nil || !strings.Contains(err.Error(), "--memprofile") {
		t.Errorf("unwritable path: %v, want an error naming --memprofile", err)
	}
}
