package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"time"

	"reco/engine"
)

// memoryBench fills an engine in-process with a generated shop — users,
// items, events with Zipf-popular items and active users — and reports
// the resident memory and what it comes to per user, item and event.
// With memProfile set it writes a heap profile of the filled engine there:
// what each structure holds.
func memoryBench(ctx context.Context, users, items, events int, memProfile string) error {
	eng := engine.New(engine.Config{Logger: slog.New(slog.DiscardHandler)})
	base := rssNow()
	rng := rand.New(rand.NewPCG(7, 8))
	itemZipf := rand.NewZipf(rng, 1.05, 8, uint64(items-1))
	userZipf := rand.NewZipf(rng, 1.01, 16, uint64(users-1))
	stock := 50
	for i := 0; i < items; i++ {
		ev := engine.Event{Type: engine.TypeItem, Item: "i" + strconv.Itoa(i), Title: "Item " + strconv.Itoa(i) + " deluxe",
			Categories: []string{"c" + strconv.Itoa(i%50), "c" + strconv.Itoa(i%50) + "/s" + strconv.Itoa(i%500)},
			Price:      float64(5 + i%200), Stock: &stock, TS: 1_700_000_000_000}
		if err := eng.Apply(&ev); err != nil {
			return err
		}
	}
	kinds := []string{"view", "view", "view", "view", "view", "click", "cart", "purchase"}
	start, last := time.Now(), time.Now()
	fmt.Printf("%10s %10s %10s %9s\n", "events", "users", "rss_mib", "ev/s")
	for i := 0; i < events; i++ {
		u := int(userZipf.Uint64())
		if i < users { // every user at least once
			u = i
		}
		ev := engine.Event{Type: kinds[i%len(kinds)], User: "u" + strconv.Itoa(u), Item: "i" + strconv.FormatUint(itemZipf.Uint64(), 10),
			TS: 1_700_000_000_000 + int64(i)*130, ID: "e" + strconv.Itoa(i)} // 20 M events over a month
		if err := eng.Apply(&ev); err != nil {
			return err
		}
		if i%100_000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(last) > 10*time.Second || i == events-1 {
			last = time.Now()
			_, nu := eng.Size()
			fmt.Printf("%10d %10d %10.0f %9.0f\n", i+1, nu, rssNow(), float64(i+1)/time.Since(start).Seconds())
		}
	}
	runtime.GC()
	if err := writeHeapProfile(memProfile); err != nil {
		return err
	}
	rss := rssNow() - base
	live := liveHeapMiB()
	// RSS after a GC still holds heap the collector freed but the runtime
	// keeps for reuse, as much as the heap's last peak left: that part moves
	// with when the collector happened to run. Returning it to the OS shows
	// what the state itself needs.
	debug.FreeOSMemory()
	returned := rssNow() - base
	_, nu := eng.Size()
	fmt.Printf("memory: %d users, %d items, %d events: RSS %.0f MiB above the empty process (%.2f GiB)\n", nu, items, events, rss, rss/1024)
	// Each figure charges all of the memory to users, items or events
	// alone: upper bounds, not shares.
	perUnit := func(mib float64) string {
		b := mib * (1 << 20)
		return fmt.Sprintf("%.0f bytes per user, %.0f per item, %.0f per event", b/float64(nu), b/float64(items), b/float64(events))
	}
	fmt.Printf("memory: %s (all of it charged to each, as upper bounds)\n", perUnit(rss))
	fmt.Printf("memory: Go heap live after the GC %.0f MiB; RSS once freed heap is returned to the OS %.0f MiB (%.2f GiB): %s\n",
		live, returned, returned/1024, perUnit(returned))
	return nil
}

// liveHeapMiB returns the heap the last GC found live, in MiB.
func liveHeapMiB() float64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64()) / (1 << 20)
}

func rssNow() float64 { return rssMiB(os.Getpid()) }
