package main

import (
	"math/rand/v2"
	"strconv"
)

// shopEvents generates a shop's event stream for the load tools: users
// u1..uN uniformly, items i1..iM Zipf-popular, mostly views, each event
// with a unique id.
type shopEvents struct {
	rng     *rand.Rand
	zipf    *rand.Zipf
	users   int
	idStem  string // ids are idStem-0, idStem-1, …
	startTS int64  // event i at startTS + 10 ms × i; 0: no ts (the engine's clock)
	n       int
}

var shopEventKinds = [...]string{"view", "view", "view", "view", "click", "cart", "purchase"}

func newShopEvents(seed uint64, users, items int, idStem string, startTS int64) *shopEvents {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	return &shopEvents{rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, uint64(max(items-1, 1))),
		users: users, idStem: idStem, startTS: startTS}
}

// next appends the next event as JSON to dst and returns it, with the
// offset in it where the user id starts and its length (the Kafka key).
func (g *shopEvents) next(dst []byte) (event []byte, userAt, userLen int) {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, shopEventKinds[g.rng.IntN(len(shopEventKinds))]...)
	dst = append(dst, `","user":"`...)
	userAt = len(dst)
	dst = append(dst, 'u')
	dst = strconv.AppendInt(dst, int64(1+g.rng.IntN(g.users)), 10)
	userLen = len(dst) - userAt
	dst = append(dst, `","item":"i`...)
	dst = strconv.AppendUint(dst, 1+g.zipf.Uint64(), 10)
	dst = append(dst, '"')
	if g.startTS != 0 {
		dst = append(dst, `,"ts":`...)
		dst = strconv.AppendInt(dst, g.startTS+int64(g.n)*10, 10)
	}
	dst = append(dst, `,"id":"`...)
	dst = append(dst, g.idStem...)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, int64(g.n), 10)
	dst = append(dst, `"}`...)
	g.n++
	return dst, userAt, userLen
}
