package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"reco/models"
)

// runExperiment serves the feed to 6,000 shoppers under a 50/50 experiment
// and plays their reactions: each impression is clicked with probability
// 5 % and bought with conversion[variant]. It returns the readout.
func runExperiment(t *testing.T, conversion map[string]float64) []VariantStats {
	t.Helper()
	e := plantedShop(t)
	e.cfg.Experiments = []Experiment{{Name: "feed-blend", Slots: []string{SlotFeed}, Variants: []Variant{
		{Name: "control", Weight: 1},
		{Name: "B", Weight: 1, Feed: &models.BlendWeights{ItemKNN: 1}},
	}}}
	rng := rand.New(rand.NewPCG(11, 12))
	ts := int64(1_750_000_000_000)
	for u := 0; u < 6000; u++ {
		user := fmt.Sprintf("shopper%d", u)
		resp, err := e.Recommend(&Request{Slot: SlotFeed, User: user, N: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range resp.Items {
			ts++
			if err := e.Apply(&Event{Type: "impression", User: user, Item: it.Item, RequestID: resp.RequestID, TS: ts}); err != nil {
				t.Fatal(err)
			}
			if rng.Float64() < 0.05 {
				e.Apply(&Event{Type: "click", User: user, Item: it.Item, RequestID: resp.RequestID, TS: ts})
			}
			if rng.Float64() < conversion[resp.Variant] {
				e.Apply(&Event{Type: "purchase", User: user, Item: it.Item, RequestID: resp.RequestID, Price: 20, TS: ts})
			}
		}
	}
	return e.VariantReport()
}

func variant(stats []VariantStats, name string) VariantStats {
	for _, s := range stats {
		if s.Variant == name {
			return s
		}
	}
	return VariantStats{}
}

func TestExperimentDetectsABetterVariant(t *testing.T) {
	stats := runExperiment(t, map[string]float64{"control": 0.02, "B": 0.03})
	c, b := variant(stats, "control"), variant(stats, "B")
	t.Logf("control %+v\nB %+v", c, b)
	if !c.Control || c.Impressions < 12_000 || b.Impressions < 12_000 {
		t.Fatalf("split: control %d impressions, B %d (want about 15,000 each)", c.Impressions, b.Impressions)
	}
	if b.VsControl == nil || b.VsControl.ConversionPValue >= 0.05 || !b.VsControl.Significant {
		t.Fatalf("B converts 50 %% better and the readout says %+v", b.VsControl)
	}
	if b.VsControl.CTRPValue < 0.01 {
		t.Fatalf("CTR is equal by construction, p = %v", b.VsControl.CTRPValue)
	}
	if b.Conversion.Low <= c.Conversion.Value || b.RPM.Value <= c.RPM.Value {
		t.Fatalf("B's conversion interval %+v should sit above control's %v", b.Conversion, c.Conversion.Value)
	}
}

func TestExperimentDoesNotInventADifference(t *testing.T) {
	stats := runExperiment(t, map[string]float64{"control": 0.02, "B": 0.02})
	b := variant(stats, "B")
	t.Logf("B %+v", b)
	if b.VsControl == nil || b.VsControl.Significant {
		t.Fatalf("equal variants, but the readout claims a difference: %+v", b.VsControl)
	}
}

func TestAssignmentIsStableAndBalanced(t *testing.T) {
	e := New(Config{Experiments: []Experiment{{Name: "x", Slots: []string{SlotFeed}, Variants: []Variant{{Name: "a", Weight: 3}, {Name: "b", Weight: 1}}}}})
	counts := map[string]int{}
	for u := 0; u < 10000; u++ {
		_, v := e.assign(SlotFeed, fmt.Sprintf("user-%d", u))
		_, again := e.assign(SlotFeed, fmt.Sprintf("user-%d", u))
		if v != again {
			t.Fatal("assignment is not stable")
		}
		counts[v.Name]++
	}
	if counts["a"] < 7200 || counts["a"] > 7800 {
		t.Fatalf("3:1 weights gave %v", counts)
	}
	if x, v := e.assign(SlotSimilar, "user-1"); x != nil || v != nil {
		t.Fatal("a slot outside the experiment was assigned")
	}
}

func TestRemindersAbandonedCartAndDueItems(t *testing.T) {
	e := New(Config{})
	ts := int64(1_700_000_000_000)
	hour := int64(3_600_000)
	for _, id := range []string{"a", "b", "c", "d"} {
		e.Apply(&Event{Type: TypeItem, Item: id, Title: id, Categories: []string{"x"}, Price: 10, Stock: intp(5), TS: ts})
	}
	e.Apply(&Event{Type: "cart", User: "ann", Item: "a", TS: ts})              // abandoned
	e.Apply(&Event{Type: "cart", User: "ann", Item: "b", TS: ts + 1})          // bought
	e.Apply(&Event{Type: "purchase", User: "ann", Item: "b", TS: ts + 2})      //
	e.Apply(&Event{Type: "cart", User: "ann", Item: "c", TS: ts + 3})          // removed
	e.Apply(&Event{Type: "uncart", User: "ann", Item: "c", TS: ts + 4})        //
	e.Apply(&Event{Type: "cart", User: "ann", Item: "d", TS: ts + 3*hour - 1}) // too recent
	e.Apply(&Event{Type: "view", User: "bob", Item: "d", TS: ts + 3*hour})     // the clock
	resp, err := e.Recommend(&Request{Slot: SlotReminders, User: "ann", N: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := items(resp); len(got) != 1 || got[0] != "a" || resp.Items[0].Reasons[0] != "still in your cart" {
		t.Fatalf("reminders = %v %v, want only the abandoned a", got, resp.Items)
	}
}
