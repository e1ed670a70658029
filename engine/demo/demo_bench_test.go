package demo

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"reco/engine"
)

// BenchmarkAnswers measures one answer per slot on the demo shop, the shop
// `reco serve --demo` serves and the HTTP load tests run against: the
// in-process part of a cache miss (no HTTP, no encoding).
func BenchmarkAnswers(b *testing.B) {
	e := engine.New(engine.Config{})
	for _, ev := range Events(Config{}) {
		if err := e.Apply(ev); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Train(b.Context()); err != nil {
		b.Fatal(err)
	}
	e.RefreshNeighbors()
	for _, slot := range []string{engine.SlotFeed, engine.SlotCrossSell, engine.SlotSimilar} {
		b.Run(slot, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				req := &engine.Request{Slot: slot, User: fmt.Sprintf("u%d", 1+rng.IntN(3000)), Item: "i5"}
				if _, err := e.Recommend(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnswerJSON encodes demo answers as the HTTP server does
// (Response.AppendJSON): the encoding part of a cache miss.
func BenchmarkAnswerJSON(b *testing.B) {
	e := engine.New(engine.Config{})
	for _, ev := range Events(Config{}) {
		if err := e.Apply(ev); err != nil {
			b.Fatal(err)
		}
	}
	e.RefreshNeighbors()
	for _, slot := range []string{engine.SlotFeed, engine.SlotCrossSell} {
		var answers []*engine.Response
		for u := 1; u <= 100; u++ {
			resp, err := e.Recommend(&engine.Request{Slot: slot, User: fmt.Sprintf("u%d", u), Item: "i5", N: 10})
			if err != nil {
				b.Fatal(err)
			}
			answers = append(answers, resp)
		}
		b.Run(slot, func(b *testing.B) {
			var buf []byte
			bytes := 0
			for i := 0; b.Loop(); i++ {
				buf = answers[i%len(answers)].AppendJSON(buf[:0])
				bytes += len(buf)
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "bytes/op")
		})
	}
}
