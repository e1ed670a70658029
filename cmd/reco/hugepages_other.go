//go:build !linux

package main

import "errors"

// adviseHugePages cannot: transparent huge pages are Linux's.
func adviseHugePages([]byte) error { return errors.New("transparent huge pages are Linux-only") }
