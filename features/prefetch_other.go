//go:build !amd64 && !arm64

package features

import "unsafe"

// Prefetch does nothing on this architecture: reco has a prefetch
// instruction only for amd64 and arm64. Everything works without it; a
// batch of events just waits for its cache misses one after another.
func Prefetch(p unsafe.Pointer) {}
