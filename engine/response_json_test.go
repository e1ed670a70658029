package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"reco/models"
)

// referenceJSON is the answer as encoding/json writes it, the way
// MarshalJSON built it before AppendJSON existed.
func referenceJSON(t *testing.T, r *Response) []byte {
	t.Helper()
	type base struct {
		Slot      string `json:"slot"`
		User      string `json:"user,omitempty"`
		RequestID string `json:"request_id"`
		Variant   string `json:"variant"`
	}
	var v any
	if r.Slot == SlotBundle {
		b := r.Bundles
		if b == nil {
			b = []Bundle{}
		}
		v = struct {
			base
			Bundles []Bundle `json:"bundles"`
		}{base{r.Slot, r.User, r.RequestID, r.Variant}, b}
	} else {
		items := r.Items
		if items == nil {
			items = []Item{}
		}
		v = struct {
			base
			Items []Item `json:"items"`
		}{base{r.Slot, r.User, r.RequestID, r.Variant}, items}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var oddStrings = []string{"", "i1", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f", "<b>&amp;</b>",
	"line\u2028sep\u2029", "ünïcødé 日本", "bad\xffutf8", "\xc3", "emoji 🛒"}

var oddFloats = []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-7, 1.234e-9, 123456789, 1e21, 1.5e300, -2e-300, 19.99, 0.30000000000000004}

func randomResponse(rng *rand.Rand) *Response {
	pick := func() string { return oddStrings[rng.IntN(len(oddStrings))] }
	num := func() float64 { return oddFloats[rng.IntN(len(oddFloats))] * float64(1+rng.IntN(3)) }
	strs := func() []string {
		if rng.IntN(4) == 0 {
			return nil
		}
		out := []string{}
		for k := rng.IntN(3); k > 0; k-- {
			out = append(out, pick())
		}
		return out
	}
	r := &Response{Slot: []string{SlotFeed, SlotSimilar, SlotBundle}[rng.IntN(3)], User: pick(), RequestID: pick(), Variant: pick()}
	for k := rng.IntN(4); k > 0; k-- {
		it := Item{Item: pick(), Score: num(), Price: num(), Reasons: strs(), Pricing: models.PricingHint{
			Action: pick(), DiscountPct: num(), SuggestedPrice: num(),
			Signals: models.PricingSignals{SalesPerDay: num(), Conversion: num(), DaysOfCover: num(),
				Stock: rng.IntN(2000) - 1, Urgency: rng.IntN(2) == 0, UserSensitivity: num()},
		}}
		if rng.IntN(2) == 0 {
			e := num()
			it.Pricing.Signals.Elasticity = &e
		}
		r.Items = append(r.Items, it)
		r.Bundles = append(r.Bundles, Bundle{Items: strs(), Score: num(), Support: num(), Confidence: num(),
			Lift: num(), ListPrice: num(), BundlePrice: num(), DiscountPct: num(), Reasons: strs()})
	}
	return r
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 5000; i++ {
		r := randomResponse(rng)
		got, want := r.AppendJSON(nil), referenceJSON(t, r)
		if !bytes.Equal(got, want) {
			t.Fatalf("response %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestAppendJSONWritesNullForNonFiniteNumbers(t *testing.T) {
	r := &Response{Slot: SlotFeed, Items: []Item{{Item: "i1", Score: math.NaN(), Price: math.Inf(1)}}}
	var v map[string]any
	if err := json.Unmarshal(r.AppendJSON(nil), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, r.AppendJSON(nil))
	}
	item := v["items"].([]any)[0].(map[string]any)
	if item["score"] != nil || item["price"] != nil {
		t.Fatalf("score, price = %v, %v, want null", item["score"], item["price"])
	}
}

// FuzzAppendJSONString checks the string encoder against encoding/json on
// arbitrary bytes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendJSONStringEveryByteInEveryLane: appendJSONString skips eight
// plain bytes at a time (jsonSafe8); every byte value, and runes that need
// a look, must be caught in every position of such a word.
func TestAppendJSONStringEveryByteInEveryLane(t *testing.T) {
	var odd []string
	for b := 0; b < 256; b++ {
		odd = append(odd, string([]byte{byte(b)}))
	}
	odd = append(odd, "é", "\u2028", "\u2029", "\xe2\x80", "€", "😀")
	for _, o := range odd {
		for pos := 0; pos < 17; pos++ {
			s := strings.Repeat("a", pos) + o + strings.Repeat("b", 17-pos)
			want, _ := json.Marshal(s)
			if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
				t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
			}
		}
	}
}

// FuzzAppendJSONFloat checks the number encoder against encoding/json.
func FuzzAppendJSONFloat(f *testing.F) {
	for _, x := range oddFloats {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		want, _ := json.Marshal(x)
		if got := appendJSONFloat(nil, x); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONFloat(%v) = %s, want %s", x, got, want)
		}
	})
}

func TestAppendJSONFloatFourDecimals(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200_000; i++ {
		// Values as the answers hold them: rounded to 0..4 decimals.
		digits := rng.IntN(5)
		p := math.Pow10(digits)
		x := math.Round((rng.Float64()-0.3)*math.Pow10(rng.IntN(12))*p) / p
		want, _ := json.Marshal(x)
		if got := appendJSONFloat(nil, x); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONFloat(%v) = %s, want %s", x, got, want)
		}
	}
}
