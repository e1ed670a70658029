package main

import (
	"fmt"
	"syscall"
)

// adviseHugePages marks the whole huge pages inside b MADV_HUGEPAGE.
func adviseHugePages(b []byte) error {
	in := hugePageInterior(b)
	if len(in) == 0 {
		return fmt.Errorf("%d bytes hold no whole huge page", len(b))
	}
	if err := syscall.Madvise(in, syscall.MADV_HUGEPAGE); err != nil {
		return fmt.Errorf("madvise(MADV_HUGEPAGE) on %d bytes: %w", len(in), err)
	}
	return nil
}
