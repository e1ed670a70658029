package main

import "context"

func runServe(ctx context.Context, args []string) error   { return nil }
func runReplay(ctx context.Context, args []string) error  { return nil }
func runLoadgen(ctx context.Context, args []string) error { return nil }
