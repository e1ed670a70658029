package main

import (
	"context"
	"fmt"
)

func runLoadgen(ctx context.Context, args []string) error {
	return fmt.Errorf("not built yet")
}
