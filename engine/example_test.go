package engine_test

import (
	"fmt"

	"reco/engine"
)

// Events go in through Apply (the Kafka consumer calls it for every
// message); answers come out of Recommend.
func Example() {
	e := engine.New(engine.Config{})
	stock := 10
	for _, ev := range []engine.Event{
		{Type: "item", Item: "tent", Title: "Dome tent", Categories: []string{"outdoor"}, Price: 199, Stock: &stock, TS: 1},
		{Type: "item", Item: "lamp", Title: "Camping lamp", Categories: []string{"outdoor"}, Price: 25, Stock: &stock, TS: 1},
		{Type: "view", User: "ann", Item: "tent", TS: 2},
		{Type: "view", User: "ann", Item: "lamp", TS: 3},
		{Type: "view", User: "bob", Item: "tent", TS: 4},
	} {
		if err := e.Apply(&ev); err != nil {
			fmt.Println(err)
		}
	}
	resp, _ := e.Recommend(&engine.Request{Slot: engine.SlotFeed, User: "bob", N: 1})
	fmt.Println(resp.Items[0].Item, "-", resp.Items[0].Reasons[0])
	// Output: lamp - because you viewed Dome tent
}
