//go:build amd64 || arm64

package features

import "unsafe"

// Prefetch asks the CPU to start bringing the cache line holding p into
// its caches, and returns without waiting for it. It reads nothing the
// caller can see and cannot fault: p only has to be an address the caller
// computed. Implemented in prefetch_$GOARCH.s.
//
//go:noescape
func Prefetch(p unsafe.Pointer)
