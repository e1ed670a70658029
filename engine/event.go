package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"reco/features"
)

// Event is one message of the event log (CONTRACT.md "Events"): an
// interaction between a user and an item, a catalog change, or a user
// change. Which fields matter depends on Type.
type Event struct {
	Type      string  `json:"type"`
	User      string  `json:"user,omitempty"`
	Item      string  `json:"item,omitempty"`
	TS        int64   `json:"ts,omitempty"` // unix ms
	ID        string  `json:"id,omitempty"` // dedup key: events with the same id apply once
	Session   string  `json:"session,omitempty"`
	Qty       int     `json:"qty,omitempty"`
	Price     float64 `json:"price,omitempty"`
	Value     float64 `json:"value,omitempty"` // the rating of a "rate" event
	Channel   string  `json:"channel,omitempty"`
	RequestID string  `json:"request_id,omitempty"`

	// Catalog ("item") fields.
	Title      string            `json:"title,omitempty"`
	Categories []string          `json:"categories,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	Brand      string            `json:"brand,omitempty"`
	Cost       float64           `json:"cost,omitempty"`
	Stock      *int              `json:"stock,omitempty"`  // nil: unknown
	Active     *bool             `json:"active,omitempty"` // nil: true
	Attrs      map[string]string `json:"attrs,omitempty"`

	// User ("user") fields.
	Consent *bool `json:"consent,omitempty"` // nil: unchanged

	// kind is the parsed Type of an interaction.
	kind features.Kind
}

// Event types that are not interactions.
const (
	TypeItem       = "item"
	TypeItemDelete = "item_delete"
	TypeUser       = "user"
	TypeUserDelete = "user_delete"
	// TypeNotified records that a notification answer sent item to user on
	// channel (written by the batch endpoint; it makes caps durable).
	TypeNotified = "notified"
)

// IsCatalog reports whether the event belongs on the catalog topic (keyed
// by item) rather than the events topic (keyed by user).
func (e *Event) IsCatalog() bool { return e.Type == TypeItem || e.Type == TypeItemDelete }

// Key returns the Kafka message key of the event: the item for catalog
// events, the user otherwise, so that each entity's events stay in order
// within one partition.
func (e *Event) Key() string {
	if e.IsCatalog() {
		return e.Item
	}
	return e.User
}

// Limits on decoded events. A message beyond them is rejected: they keep a
// single hostile message from costing much memory or time.
const (
	MaxEventBytes = 64 << 10
	maxIDBytes    = 256
	maxTextBytes  = 1024
	maxListLen    = 64
	maxAttrs      = 64
	maxQty        = 1_000_000
	maxPrice      = 1e9
	maxRating     = 10
	// maxTS is 9999-12-31: anything later is a unit mistake (µs or ns).
	maxTS = 253402300799999
)

// Reasons a message is rejected; they label the rejection metrics.
const (
	ReasonTooLarge    = "too_large"
	ReasonInvalidUTF8 = "invalid_utf8"
	ReasonInvalidJSON = "invalid_json"
	ReasonUnknownType = "unknown_type"
	ReasonMissing     = "missing_field"
	ReasonOutOfRange  = "out_of_range"
)

// DecodeError says why a message is not a valid event.
type DecodeError struct {
	Reason string // one of the Reason constants
	Field  string // the offending field, if any
	Detail string
	cause  error // what errors.Is may match (ErrFromTheFuture), if anything
}

// Unwrap returns the rejection's cause, if it has one.
func (e *DecodeError) Unwrap() error { return e.cause }

func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("event field %q: %s", e.Field, e.Detail)
	}
	return "event: " + e.Detail
}

func reject(reason, field, format string, args ...any) *DecodeError {
	return &DecodeError{Reason: reason, Field: field, Detail: fmt.Sprintf(format, args...)}
}

// DecodeEvent parses and validates one JSON event. Unknown fields are
// ignored; everything else that is wrong is rejected with a *DecodeError
// naming the field.
func DecodeEvent(msg []byte) (*Event, error) {
	var e Event
	if err := decodeEventInto(msg, &e, false); err != nil {
		return nil, err
	}
	return &e, nil
}

// decodeEventInto decodes msg into e. With borrow, the fast path's user,
// item and id strings share msg's bytes instead of copying them (three
// allocations per event fewer): the caller promises that msg is never
// modified, and the engine keeps none of these strings beyond applying the
// event except through features.Names, which copies what it stores.
func decodeEventInto(msg []byte, e *Event, borrow bool) error {
	if len(msg) > MaxEventBytes {
		return reject(ReasonTooLarge, "", "message of %d bytes exceeds the limit of %d", len(msg), MaxEventBytes)
	}
	// encoding/json would silently replace invalid UTF-8 with U+FFFD, which
	// would turn two different ids into the same one.
	if !utf8.Valid(msg) {
		return reject(ReasonInvalidUTF8, "", "message is not valid UTF-8")
	}
	if decodeFlat(msg, e, borrow) {
		return e.validate()
	}
	*e = Event{} // the fast path may have filled some fields
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || msg[0] != '{' {
		return reject(ReasonInvalidJSON, "", "message is not a JSON object")
	}
	if err := json.Unmarshal(msg, e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return reject(ReasonInvalidJSON, te.Field, "expected %s, got JSON %s", te.Type, te.Value)
		}
		return reject(ReasonInvalidJSON, "", "%v", err)
	}
	return e.validate()
}

func (e *Event) validate() error {
	if e.Type == "" {
		return reject(ReasonMissing, "type", "required")
	}
	needUser, needItem := false, false
	switch e.Type {
	case TypeItem, TypeItemDelete:
		needItem = true
	case TypeUser, TypeUserDelete:
		needUser = true
	case TypeNotified:
		needUser, needItem = true, true
		if e.Channel == "" {
			return reject(ReasonMissing, "channel", "required for type notified")
		}
	default:
		k, ok := features.ParseKind(e.Type)
		if !ok {
			return reject(ReasonUnknownType, "type", "unknown event type %q", clip(e.Type))
		}
		e.kind = k
		needUser, needItem = true, true
	}
	if err := checkID("user", e.User, needUser); err != nil {
		return err
	}
	if err := checkID("item", e.Item, needItem); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"id", e.ID}, {"session", e.Session}, {"channel", e.Channel}, {"request_id", e.RequestID}, {"brand", e.Brand},
	} {
		if err := checkID(f.name, f.v, false); err != nil {
			return err
		}
	}
	if e.TS < 0 || e.TS > maxTS {
		return reject(ReasonOutOfRange, "ts", "%d is not unix milliseconds between 0 and 9999-12-31", e.TS)
	}
	if e.Qty < 0 || e.Qty > maxQty {
		return reject(ReasonOutOfRange, "qty", "%d is outside 0..%d", e.Qty, maxQty)
	}
	if err := checkMoney("price", e.Price); err != nil {
		return err
	}
	if err := checkMoney("cost", e.Cost); err != nil {
		return err
	}
	if e.Type == "rate" {
		if e.Value <= 0 || e.Value > maxRating || math.IsNaN(e.Value) {
			return reject(ReasonOutOfRange, "value", "a rating must be in (0, %d], got %g", maxRating, e.Value)
		}
	}
	if e.Stock != nil && *e.Stock < 0 {
		return reject(ReasonOutOfRange, "stock", "%d is negative", *e.Stock)
	}
	if len(e.Title) > maxTextBytes {
		return reject(ReasonOutOfRange, "title", "%d bytes exceeds %d", len(e.Title), maxTextBytes)
	}
	if err := checkList("categories", e.Categories); err != nil {
		return err
	}
	if err := checkList("tags", e.Tags); err != nil {
		return err
	}
	if len(e.Attrs) > maxAttrs {
		return reject(ReasonOutOfRange, "attrs", "%d attributes exceeds %d", len(e.Attrs), maxAttrs)
	}
	for k, v := range e.Attrs {
		if len(k) > maxIDBytes || len(v) > maxTextBytes {
			return reject(ReasonOutOfRange, "attrs", "attribute %q is too long", clip(k))
		}
	}
	return nil
}

func checkID(field, v string, required bool) error {
	if v == "" {
		if required {
			return reject(ReasonMissing, field, "required")
		}
		return nil
	}
	if len(v) > maxIDBytes {
		return reject(ReasonOutOfRange, field, "%d bytes exceeds %d", len(v), maxIDBytes)
	}
	if hasControl(v) {
		return reject(ReasonOutOfRange, field, "contains a control character")
	}
	return nil
}

func checkMoney(field string, v float64) error {
	if v < 0 || v > maxPrice || math.IsNaN(v) {
		return reject(ReasonOutOfRange, field, "%g is outside 0..%g", v, float64(maxPrice))
	}
	return nil
}

func checkList(field string, l []string) error {
	if len(l) > maxListLen {
		return reject(ReasonOutOfRange, field, "%d entries exceeds %d", len(l), maxListLen)
	}
	for _, s := range l {
		if s == "" || len(s) > maxIDBytes {
			return reject(ReasonOutOfRange, field, "entries must be 1..%d bytes", maxIDBytes)
		}
	}
	return nil
}

// hasControl reports whether s holds an ASCII control character (below
// 0x20, or DEL). A byte loop, not strings.IndexFunc with a func: every id
// of every event is checked, on the consumer and in `reco replay`, and
// the four ids of a typical event took 35–58 ns by runes against 16–25
// by bytes. Bytes of multi-byte UTF-8 sequences are all 0x80 or above,
// so the two find the same (TestHasControl, FuzzHasControl).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// clip shortens user input quoted back in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
