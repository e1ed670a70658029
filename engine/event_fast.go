package engine

import (
	"strconv"
	"unsafe"

	"reco/features"
)

// decodeFlat decodes the common shape of an event — one flat JSON object
// of the known scalar fields, strings without escapes — without
// reflection, into e. It returns false as soon as the message is anything
// else (nested values, escapes, unknown or differently cased keys, null,
// a malformed number, trailing data), and the caller decodes it with
// encoding/json instead; so it never accepts a message encoding/json
// would reject or decode differently (FuzzDecodeFlatMatchesJSON). Views,
// clicks, carts and purchases from producers take this path: it is most
// of the consumer's decoding time saved.
//
// With borrow, the user, item and id strings share msg's bytes (see
// decodeEventInto).
func decodeFlat(msg []byte, e *Event, borrow bool) bool {
	i := skipWS(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return false
	}
	i = skipWS(msg, i+1)
	if i < len(msg) && msg[i] == '}' {
		return skipWS(msg, i+1) == len(msg)
	}
	for {
		key, j, ok := flatString(msg, i)
		if !ok {
			return false
		}
		j = skipWS(msg, j)
		if j >= len(msg) || msg[j] != ':' {
			return false
		}
		j = skipWS(msg, j+1)
		if j, ok = flatValue(msg, j, key, e, borrow); !ok {
			return false
		}
		j = skipWS(msg, j)
		if j >= len(msg) {
			return false
		}
		switch msg[j] {
		case ',':
			i = skipWS(msg, j+1)
		case '}':
			return skipWS(msg, j+1) == len(msg)
		default:
			return false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// flatString reads a JSON string starting at b[i] == '"' that has no
// escapes or control characters; it returns the bytes between the quotes.
func flatString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, j, false
		}
	}
	return nil, i, false
}

// flatNumber reads a number token that is valid JSON:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func flatNumber(b []byte, i int) ([]byte, int, bool) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return nil, i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, i, false
		}
	}
	return b[start:i], i, true
}

// parseInt is strconv.ParseInt(string(tok), 10, 64) for a flatNumber
// token, without making a string of it.
func parseInt(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	if len(tok) == 0 || len(tok) > 19 { // 19 digits never overflow a uint64
		return 0, false
	}
	var n uint64
	for _, c := range tok {
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return int64(-n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// eventType returns the event type named s, the constant when it is one
// of the contract's: the commonest field then costs no allocation.
func eventType(s []byte) string {
	if k, ok := features.ParseKind(string(s)); ok { // no copy: the string does not escape
		return k.String()
	}
	switch string(s) {
	case TypeItem:
		return TypeItem
	case TypeItemDelete:
		return TypeItemDelete
	case TypeUser:
		return TypeUser
	case TypeUserDelete:
		return TypeUserDelete
	case TypeNotified:
		return TypeNotified
	}
	return string(s)
}

func flatValue(b []byte, i int, key []byte, e *Event, borrow bool) (int, bool) {
	var dst *string
	switch string(key) {
	case "type":
		dst = &e.Type
	case "user":
		dst = &e.User
	case "item":
		dst = &e.Item
	case "id":
		dst = &e.ID
	case "session":
		dst = &e.Session
	case "channel":
		dst = &e.Channel
	case "request_id":
		dst = &e.RequestID
	case "title":
		dst = &e.Title
	case "brand":
		dst = &e.Brand
	}
	if dst != nil {
		s, j, ok := flatString(b, i)
		if !ok {
			return j, false
		}
		switch {
		case dst == &e.Type:
			*dst = eventType(s)
		case borrow && len(s) > 0 && (dst == &e.User || dst == &e.Item || dst == &e.ID):
			*dst = unsafe.String(&s[0], len(s))
		default:
			*dst = string(s)
		}
		return j, true
	}
	switch string(key) {
	case "ts", "qty":
		tok, j, ok := flatNumber(b, i)
		if !ok {
			return j, false
		}
		n, ok := parseInt(tok)
		if !ok {
			return j, false // a float or out of range: encoding/json says which
		}
		if key[0] == 't' {
			e.TS = n
		} else {
			if int64(int(n)) != n {
				return j, false
			}
			e.Qty = int(n)
		}
		return j, true
	case "price", "value", "cost":
		tok, j, ok := flatNumber(b, i)
		if !ok {
			return j, false
		}
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return j, false
		}
		switch key[0] {
		case 'p':
			e.Price = f
		case 'v':
			e.Value = f
		default:
			e.Cost = f
		}
		return j, true
	}
	return i, false // nested, unknown, or anything else: encoding/json decides
}
