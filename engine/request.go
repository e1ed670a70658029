package engine

import (
	"errors"
	"fmt"

	"reco/models"
)

// Slots answered by Recommend.
const (
	SlotSimilar   = "similar"
	SlotFeed      = "feed"
	SlotCrossSell = "cross-sell"
	SlotUpsell    = "upsell"
	SlotBundle    = "bundle"
	SlotReminders = "reminders"
)

// MaxN is the largest number of items one answer may hold.
const MaxN = 100

// DefaultN is the number of items answered when the request does not say.
const DefaultN = 10

// Request asks for recommendations in one slot (CONTRACT.md "HTTP").
type Request struct {
	Slot     string
	User     string   // the shopper; "" = anonymous
	Item     string   // the anchor item of item-based slots
	Cart     []string // items in the shopper's cart
	N        int      // 0 = DefaultN
	Category string   // only items in this category (or below it)
	MinPrice float64  // 0 = no lower bound
	MaxPrice float64  // 0 = no upper bound
	Exclude  []string // never these items
	// Blend, when set, replaces the slot's configured blend weights for
	// this request (benchmarks use it to score single models).
	Blend *models.BlendWeights
}

// ErrUnknownSlot is returned for a slot name outside the contract.
var ErrUnknownSlot = errors.New("unknown slot")

// RequestError is a request that cannot be answered as asked (HTTP 400).
type RequestError struct {
	Param  string
	Reason string
}

func (e *RequestError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Reason) }

// Validate checks the request and fills in defaults.
func (r *Request) Validate() error {
	switch r.Slot {
	case SlotSimilar, SlotFeed, SlotCrossSell, SlotUpsell, SlotBundle, SlotReminders:
	default:
		return fmt.Errorf("%w: %q", ErrUnknownSlot, clip(r.Slot))
	}
	if r.N == 0 {
		r.N = DefaultN
	}
	if r.N < 1 || r.N > MaxN {
		return &RequestError{"n", fmt.Sprintf("must be 1..%d, got %d", MaxN, r.N)}
	}
	if r.MinPrice < 0 || r.MaxPrice < 0 {
		return &RequestError{"min_price", "prices must not be negative"}
	}
	if r.MaxPrice > 0 && r.MinPrice > r.MaxPrice {
		return &RequestError{"min_price", fmt.Sprintf("%g is above max_price %g", r.MinPrice, r.MaxPrice)}
	}
	if (r.Slot == SlotSimilar || r.Slot == SlotUpsell) && r.Item == "" {
		return &RequestError{"item", "required for slot " + r.Slot}
	}
	if r.Slot == SlotReminders && r.User == "" {
		return &RequestError{"user", "required for slot reminders"}
	}
	return nil
}

// Response is the answer to a Request.
type Response struct {
	Slot      string `json:"slot"`
	User      string `json:"user,omitempty"`
	RequestID string `json:"request_id"`
	Variant   string `json:"variant"`
	Items     []Item `json:"items"`
	// Bundles replaces Items in the bundle slot.
	Bundles []Bundle `json:"-"`

	// The backing arrays of the items' reasons and elasticities, kept
	// for RecommendInto to reuse.
	reasons      []string
	elasticities []float64
}

// reset empties r for a new answer, keeping its arrays.
func (r *Response) reset(slot, user string) {
	clear(r.reasons) // no strings of the last answer kept alive
	*r = Response{Slot: slot, User: user, Variant: DefaultVariant,
		Items: r.Items[:0], reasons: r.reasons[:0], elasticities: r.elasticities[:0]}
}

// MarshalJSON writes "bundles" instead of "items" for the bundle slot
// (CONTRACT.md), and an empty list rather than null either way. It is
// AppendJSON into a new slice.
func (r *Response) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

// Item is one recommended item.
type Item struct {
	Item    string             `json:"item"`
	Score   float64            `json:"score"`
	Price   float64            `json:"price"`
	Reasons []string           `json:"reasons"`
	Pricing models.PricingHint `json:"pricing"`
}
