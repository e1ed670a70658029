// Package demo generates a small deterministic shop — a catalog across
// categories with prices, costs and stock, and a few thousand shoppers'
// browsing, carting, buying and rating — so that "reco serve --demo"
// answers every slot meaningfully from its first second.
//
// The generator plants structure a recommender should find: shoppers
// favour one or two departments, buy complements across departments
// (a camera, then a memory card), and some items are overstocked or scarce.
package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"reco/engine"
)

// Config sizes the demo shop.
type Config struct {
	Users int    // default 3000
	Seed  uint64 // default 7
	// StartTS is the unix ms of the first event. Default 2026-11-01T00:00Z.
	StartTS int64
	// Days the history spans. Default 21.
	Days int
}

type department struct {
	name     string
	subs     []string
	brands   []string
	nouns    []string
	minPrice float64
	maxPrice float64
	// complement is the department whose items are bought after this one's.
	complement string
}

func departments() []department {
	return []department{
		{"electronics", []string{"cameras", "phones", "headphones"}, []string{"Lumix", "Pixel", "Sonic", "Acme"}, []string{"camera", "phone", "headphones", "speaker"}, 40, 900, "accessories"},
		{"accessories", []string{"memory-cards", "cases", "chargers"}, []string{"Acme", "Kinetic", "Volt"}, []string{"memory card", "case", "charger", "cable"}, 5, 60, "electronics"},
		{"shoes", []string{"running", "hiking", "casual"}, []string{"Stride", "Trailhead", "Acme"}, []string{"shoe", "boot", "sneaker"}, 30, 220, "sportswear"},
		{"sportswear", []string{"socks", "shirts", "jackets"}, []string{"Stride", "Northwind"}, []string{"sock", "shirt", "jacket"}, 8, 180, "shoes"},
		{"kitchen", []string{"coffee", "cookware", "knives"}, []string{"Brewster", "Iron & Oak", "Acme"}, []string{"coffee maker", "pan", "knife", "grinder"}, 12, 400, "groceries"},
		{"groceries", []string{"coffee-beans", "tea", "snacks"}, []string{"Highland", "Leaf & Co"}, []string{"coffee beans", "tea", "cookies"}, 3, 30, "kitchen"},
		{"books", []string{"fiction", "cooking", "travel"}, []string{"Penguin", "Harbor"}, []string{"novel", "cookbook", "guide"}, 8, 45, "kitchen"},
		{"outdoor", []string{"tents", "backpacks", "lamps"}, []string{"Trailhead", "Northwind"}, []string{"tent", "backpack", "lamp"}, 20, 500, "shoes"},
	}
}

// Events returns the demo shop as events: the catalog first, then the
// interactions in time order. The same Config always gives the same events.
func Events(cfg Config) []*engine.Event {
	if cfg.Users <= 0 {
		cfg.Users = 3000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	if cfg.StartTS == 0 {
		cfg.StartTS = 1793491200000 // 2026-11-01T00:00:00Z
	}
	if cfg.Days <= 0 {
		cfg.Days = 21
	}
	adjectives := []string{"Classic", "Pro", "Lite", "Ultra", "Eco", "Compact", "Deluxe", "Trail", "Urban", "Smart"}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	deps := departments()
	var evs []*engine.Event
	byDept := map[string][]*engine.Event{}
	n := 0
	for _, d := range deps {
		for _, sub := range d.subs {
			for k := 0; k < 12; k++ {
				n++
				noun := d.nouns[rng.IntN(len(d.nouns))]
				brand := d.brands[rng.IntN(len(d.brands))]
				price := d.minPrice + (d.maxPrice-d.minPrice)*rng.Float64()*rng.Float64()
				price = float64(int(price)) + 0.99
				stock := 5 + rng.IntN(120)
				switch k {
				case 0:
					stock = 2 // scarce
				case 1:
					stock = 900 // overstocked
				}
				active := k != 11 // one inactive item per category, never recommended
				ev := &engine.Event{
					Type:       engine.TypeItem,
					Item:       fmt.Sprintf("i%d", n),
					Title:      fmt.Sprintf("%s %s %s", brand, adjectives[rng.IntN(len(adjectives))], noun),
					Categories: []string{d.name, d.name + "/" + sub},
					Tags:       []string{sub},
					Brand:      brand,
					Price:      price,
					Cost:       float64(int(price*0.55*100)) / 100,
					Stock:      &stock,
					Active:     &active,
					TS:         cfg.StartTS,
				}
				evs = append(evs, ev)
				byDept[d.name] = append(byDept[d.name], ev)
			}
		}
	}
	// pick chooses an item of a department, skewed to its first items so
	// that every department has best-sellers and a long tail.
	pick := func(dept string) *engine.Event {
		items := byDept[dept]
		i := int(float64(len(items)) * rng.Float64() * rng.Float64())
		return items[i]
	}
	span := int64(cfg.Days) * 86_400_000
	type timed struct {
		ts int64
		ev *engine.Event
	}
	var acts []timed
	for u := 0; u < cfg.Users; u++ {
		user := fmt.Sprintf("u%d", u+1)
		fav := deps[rng.IntN(len(deps))]
		second := deps[rng.IntN(len(deps))]
		sessions := 1 + rng.IntN(4)
		for s := 0; s < sessions; s++ {
			ts := cfg.StartTS + 3_600_000 + rng.Int64N(span)
			dept := fav
			if rng.IntN(4) == 0 {
				dept = second
			}
			views := 2 + rng.IntN(6)
			for v := 0; v < views; v++ {
				it := pick(dept.name)
				ts += 20_000 + rng.Int64N(120_000)
				acts = append(acts, timed{ts, &engine.Event{Type: "view", User: user, Item: it.Item}})
				if rng.IntN(5) != 0 {
					continue
				}
				ts += 30_000
				// Promotions: on a third of the days an item is 10 % off, on
				// another third 20 % off, and shoppers respond (a planted
				// price elasticity of about -2 for the pricing hints).
				factor := []float64{1, 0.9, 0.8}[(int(ts/86_400_000)+len(it.Item))%3]
				paid := float64(int(it.Price*factor*100)) / 100
				acts = append(acts, timed{ts, &engine.Event{Type: "cart", User: user, Item: it.Item, Qty: 1, Price: paid}})
				if rng.Float64() > 0.4/(factor*factor) {
					continue // abandoned cart
				}
				ts += 60_000
				acts = append(acts, timed{ts, &engine.Event{Type: "purchase", User: user, Item: it.Item, Qty: 1, Price: paid}})
				if rng.IntN(3) != 0 {
					// The planted complement: bought right after.
					c := pick(dept.complement)
					ts += 45_000
					acts = append(acts, timed{ts, &engine.Event{Type: "view", User: user, Item: c.Item}})
					ts += 30_000
					acts = append(acts, timed{ts, &engine.Event{Type: "purchase", User: user, Item: c.Item, Qty: 1, Price: c.Price}})
				}
				if rng.IntN(3) == 0 {
					ts += 86_400_000
					acts = append(acts, timed{ts, &engine.Event{Type: "rate", User: user, Item: it.Item, Value: float64(3 + rng.IntN(3))}})
				}
			}
		}
	}
	// Stable order by time; ties keep generation order.
	slices.SortStableFunc(acts, func(a, b timed) int { return cmp.Compare(a.ts, b.ts) })
	for i, a := range acts {
		a.ev.TS = a.ts
		a.ev.ID = fmt.Sprintf("demo-%d", i+1)
		evs = append(evs, a.ev)
	}
	return evs
}
