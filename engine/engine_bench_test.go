package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchEvents generates a MovieLens-sized stream: users × perUser ratings
// over items, Zipf-distributed so that a few items are everywhere.
func benchEvents(users, perUser, items int) []Event {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.05, 2, uint64(items-1))
	names := make([]string, items)
	for i := range names {
		names[i] = fmt.Sprintf("i%d", i)
	}
	evs := make([]Event, 0, users*perUser)
	ts := int64(1_700_000_000_000)
	for u := 0; u < users; u++ {
		user := fmt.Sprintf("u%d", u)
		for k := 0; k < perUser; k++ {
			ts += 1000
			evs = append(evs, Event{Type: "rate", User: user, Item: names[zipf.Uint64()], Value: float64(1 + rng.IntN(5)), TS: ts})
		}
	}
	rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	return evs
}

// BenchmarkApplyRate measures Apply on a MovieLens-like stream (the
// CoOccurrenceWindow pairs of every event dominate).
func BenchmarkApplyRate(b *testing.B) {
	evs := benchEvents(1000, 100, 1700)
	b.ReportAllocs()
	b.ResetTimer()
	e := New(Config{})
	for i := 0; i < b.N; i++ {
		if i%len(evs) == 0 && i > 0 {
			e = New(Config{})
		}
		if err := e.Apply(&evs[i%len(evs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyMessage adds decoding, as the Kafka consumer does.
func BenchmarkApplyMessage(b *testing.B) {
	msg := []byte(`{"type":"view","user":"u123","item":"i9","ts":1732270000000,"session":"s1"}`)
	e := New(Config{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := e.ApplyMessage(Position{"reco.events", 0}, int64(i), msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyMessageShop decodes and applies the stream `reco loadgen
// --mode ingest` produces: 100,000 users, 10,000 Zipf items, every event
// with an id (so the dedup window works). Unlike BenchmarkApplyMessage the
// state is shop-sized, so cache misses count as they do in production.
func BenchmarkApplyMessageShop(b *testing.B) {
	msgs := shopMessages(b.N)
	e := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i, m := range msgs {
		if err := e.ApplyMessage(Position{"reco.events", 0}, int64(i), m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyMessagesShop is the consumer's path on the same stream:
// messages decoded beforehand (the consumer decodes on another
// goroutine), applied in batches of 32 under one lock. Co-occurrence
// updates are applied at once (no Run, so no pair worker).
func BenchmarkApplyMessagesShop(b *testing.B) {
	applyMessagesInBatches(b, shopMessages(b.N), false)
}

// BenchmarkApplyMessagesBusyShop is the same path on a stream like the
// demo shop's under load (`reco loadgen --mode events`): 3,000 users over
// 288 items, so that histories are long and every event pairs with the
// whole window. Its shoppers cart and buy at random, several times a
// second: a basket lasts until the first cart after a purchase.
func BenchmarkApplyMessagesBusyShop(b *testing.B) {
	applyMessagesInBatches(b, busyShopMessages(b.N), false)
}

// BenchmarkApplyMessagesBusyShopPairWorker is BenchmarkApplyMessagesBusyShop
// with the pair worker applying the co-occurrences on a goroutine of its
// own, as while Run runs: the time includes the worker finishing.
func BenchmarkApplyMessagesBusyShopPairWorker(b *testing.B) {
	applyMessagesInBatches(b, busyShopMessages(b.N), true)
}

func applyMessagesInBatches(b *testing.B, raw [][]byte, pairWorker bool) {
	msgs := make([]Message, b.N)
	for i := range msgs {
		msgs[i].Pos, msgs[i].Offset = Position{"reco.events", 0}, int64(i)
		msgs[i].Decode(raw[i])
	}
	e := New(Config{})
	stopWorker := func() {}
	if pairWorker {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.runPairWorker(ctx)
		}()
		for e.pairs.Load() == nil {
			runtime.Gosched()
		}
		stopWorker = func() { cancel(); <-done }
	}
	batch := make([]*Message, 0, 32)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range msgs {
		batch = append(batch, &msgs[i])
		if len(batch) == cap(batch) || i == len(msgs)-1 {
			e.ApplyMessages(batch)
			batch = batch[:0]
		}
	}
	stopWorker()
}

// shopMessages returns n encoded events shaped like a shop's stream:
// 100,000 users over 10,000 Zipf items, an event every 10 ms.
func shopMessages(n int) [][]byte {
	return streamMessages(n, 1, 100_000, 10_000, 100)
}

// busyShopMessages returns n encoded events of 3,000 users over 288 Zipf
// items at 200,000 events a second.
func busyShopMessages(n int) [][]byte {
	return streamMessages(n, 3, 3_000, 288, 200_000)
}

// streamMessages returns n encoded events of users over items (Zipf) at
// perSecond events a second of event time, every one with an id.
func streamMessages(n int, seed uint64, users, items, perSecond int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(items-1))
	kinds := []string{"view", "view", "view", "view", "click", "cart", "purchase"}
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, `{"type":%q,"user":"u%d","item":"i%d","ts":%d,"id":"e-%d"}`,
			kinds[rng.IntN(len(kinds))], rng.IntN(users), zipf.Uint64(), 1_700_000_000_000+int64(i)*1000/int64(perSecond), i)
	}
	return msgs
}

func benchEngine(b *testing.B) *Engine {
	e := New(Config{Logger: slog.New(slog.DiscardHandler)})
	for _, ev := range benchEvents(1000, 100, 1700) {
		if err := e.Apply(&ev); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// BenchmarkRecommendFeed is the storefront's home page for known users,
// without the trained model.
func BenchmarkRecommendFeed(b *testing.B) {
	benchFeed(b, benchEngine(b))
}

// BenchmarkRecommendFeedTrained adds the EASE model to the blend.
func BenchmarkRecommendFeedTrained(b *testing.B) {
	e := benchEngine(b)
	if err := e.Train(b.Context()); err != nil {
		b.Fatal(err)
	}
	benchFeed(b, e)
}

// benchFeed asks e for the feeds of its 1,000 users from all procs.
func benchFeed(b *testing.B, e *Engine) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := e.Recommend(&Request{Slot: SlotFeed, User: fmt.Sprintf("u%d", i%1000), N: 10}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRecommendSimilar(b *testing.B) {
	e := benchEngine(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Recommend(&Request{Slot: SlotSimilar, Item: fmt.Sprintf("i%d", i%1700), N: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainingRows copies the histories of a shop's 100,000 users
// (1 M events) for training: what the trainer's read locks add up to.
func BenchmarkTrainingRows(b *testing.B) {
	e := shopEngine(b, 1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rows := e.trainingRows(); len(rows) == 0 {
			b.Fatal("no training rows")
		}
	}
}

// BenchmarkSnapshotCopy is the part of a snapshot taken under the read
// locks, for a shop of 100,000 users and 1 M events: how long ingest, and
// every request arriving meanwhile, waits for a snapshot.
func BenchmarkSnapshotCopy(b *testing.B) {
	e := shopEngine(b, 1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := e.exportState(); len(st.Users.Users) == 0 {
			b.Fatal("no users copied")
		}
	}
}

// shopEngine returns an engine that applied n events of shopMessages.
func shopEngine(b *testing.B, n int) *Engine {
	e := New(Config{Logger: slog.New(slog.DiscardHandler)})
	for i, m := range shopMessages(n) {
		if err := e.ApplyMessage(Position{"reco.events", 0}, int64(i), m); err != nil {
			b.Fatal(err)
		}
	}
	return e
}
