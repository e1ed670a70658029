package engine

import (
	"math"
	"strconv"
	"unicode/utf8"

	"reco/models"
)

// AppendJSON appends r as JSON to dst: the document MarshalJSON returns,
// written without reflection and without the compaction pass encoding/json
// makes over a Marshaler's output. Answers are encoded on every request
// that misses the cache, and encoding/json was a sixth of the server's CPU.
// TestAppendJSONMatchesEncodingJSON checks the two agree.
func (r *Response) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"slot":`...)
	dst = appendJSONString(dst, r.Slot)
	if r.User != "" {
		dst = append(dst, `,"user":`...)
		dst = appendJSONString(dst, r.User)
	}
	dst = append(dst, `,"request_id":`...)
	dst = appendJSONString(dst, r.RequestID)
	dst = append(dst, `,"variant":`...)
	dst = appendJSONString(dst, r.Variant)
	if r.Slot == SlotBundle {
		dst = append(dst, `,"bundles":[`...)
		for i := range r.Bundles {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = r.Bundles[i].appendJSON(dst)
		}
		return append(dst, "]}"...)
	}
	dst = append(dst, `,"items":[`...)
	for i := range r.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.Items[i].appendJSON(dst)
	}
	return append(dst, "]}"...)
}

func (it *Item) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"item":`...)
	dst = appendJSONString(dst, it.Item)
	dst = append(dst, `,"score":`...)
	dst = appendJSONFloat(dst, it.Score)
	dst = append(dst, `,"price":`...)
	dst = appendJSONFloat(dst, it.Price)
	dst = append(dst, `,"reasons":`...)
	dst = appendJSONStrings(dst, it.Reasons)
	dst = append(dst, `,"pricing":`...)
	dst = appendPricingJSON(dst, &it.Pricing)
	return append(dst, '}')
}

func appendPricingJSON(dst []byte, p *models.PricingHint) []byte {
	dst = append(dst, `{"action":`...)
	dst = appendJSONString(dst, p.Action)
	dst = append(dst, `,"discount_pct":`...)
	dst = appendJSONFloat(dst, p.DiscountPct)
	dst = append(dst, `,"suggested_price":`...)
	dst = appendJSONFloat(dst, p.SuggestedPrice)
	s := &p.Signals
	dst = append(dst, `,"signals":{"sales_per_day":`...)
	dst = appendJSONFloat(dst, s.SalesPerDay)
	dst = append(dst, `,"conversion":`...)
	dst = appendJSONFloat(dst, s.Conversion)
	dst = append(dst, `,"days_of_cover":`...)
	dst = appendJSONFloat(dst, s.DaysOfCover)
	dst = append(dst, `,"stock":`...)
	dst = strconv.AppendInt(dst, int64(s.Stock), 10)
	dst = append(dst, `,"urgency":`...)
	dst = strconv.AppendBool(dst, s.Urgency)
	dst = append(dst, `,"elasticity":`...)
	if s.Elasticity == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONFloat(dst, *s.Elasticity)
	}
	dst = append(dst, `,"user_price_sensitivity":`...)
	dst = appendJSONFloat(dst, s.UserSensitivity)
	return append(dst, "}}"...)
}

func (b *Bundle) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"items":`...)
	dst = appendJSONStrings(dst, b.Items)
	for _, f := range [...]struct {
		key string
		v   float64
	}{
		{`,"score":`, b.Score}, {`,"support":`, b.Support}, {`,"confidence":`, b.Confidence},
		{`,"lift":`, b.Lift}, {`,"list_price":`, b.ListPrice}, {`,"bundle_price":`, b.BundlePrice},
		{`,"discount_pct":`, b.DiscountPct},
	} {
		dst = append(dst, f.key...)
		dst = appendJSONFloat(dst, f.v)
	}
	dst = append(dst, `,"reasons":`...)
	dst = appendJSONStrings(dst, b.Reasons)
	return append(dst, '}')
}

// appendJSONStrings appends a list of strings; nil is null, as
// encoding/json writes it.
func appendJSONStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendJSONFloat formats f as encoding/json does (shortest repr, exponent
// only for very small or large magnitudes). NaN and ±Inf, which JSON
// cannot hold, are written as null.
func appendJSONFloat(dst []byte, f float64) []byte {
	if f-f != 0 { // NaN or ±Inf: one subtraction instead of two tests
		return append(dst, "null"...)
	}
	if f == 0 {
		// Most pricing hints offer no discount, and most users have no
		// price sensitivity: two zeros an item, each of which took
		// strconv's general path below.
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	// Answers hold prices, scores and signals rounded to at most four
	// decimals. For those, the shortest representation is the decimal
	// k/10^4 with trailing zeros trimmed: it parses back to f (k/1e4 == f)
	// and with at most 15 significant digits no shorter decimal does. That
	// is integer formatting instead of the general shortest-float search.
	if f != 0 && math.Abs(f) < 1e11 {
		// The nearest integer by a conversion (one instruction) rather
		// than math.Round: a wrong k in a tie only fails the check below
		// and takes the general path, so the output is the same.
		if k := int64(f*1e4 + math.Copysign(0.5, f)); float64(k)/1e4 == f {
			return appendFixed4(dst, k)
		}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendFixed4 appends k/10^4 in decimal, without trailing zeros. The
// digits come two at a time from digitPairs: an answer holds about a
// hundred such numbers, and strconv's general integer formatting was a
// third of encoding one.
func appendFixed4(dst []byte, k int64) []byte {
	if k < 0 {
		dst = append(dst, '-')
		k = -k
	}
	u := uint64(k)
	ip, frac := u/10000, u%10000
	switch {
	case ip < 10: // most of an answer's numbers: scores, rates, small prices
		dst = append(dst, byte('0'+ip))
	case ip < 100:
		dst = append(dst, digitPairs[2*ip], digitPairs[2*ip+1])
	default:
		var buf [20]byte // at most 19 digits
		i := len(buf)
		for ip >= 100 {
			q := ip / 100
			r := ip - q*100
			i -= 2
			buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
			ip = q
		}
		if ip >= 10 {
			i -= 2
			buf[i], buf[i+1] = digitPairs[2*ip], digitPairs[2*ip+1]
		} else {
			i--
			buf[i] = byte('0' + ip)
		}
		dst = append(dst, buf[i:]...)
	}
	if frac == 0 {
		return dst
	}
	// Four decimals, trailing zeros dropped.
	hi, lo := frac/100, frac%100
	switch {
	case lo == 0 && hi%10 == 0:
		return append(dst, '.', digitPairs[2*hi])
	case lo == 0:
		return append(dst, '.', digitPairs[2*hi], digitPairs[2*hi+1])
	case lo%10 == 0:
		return append(dst, '.', digitPairs[2*hi], digitPairs[2*hi+1], digitPairs[2*lo])
	}
	return append(dst, '.', digitPairs[2*hi], digitPairs[2*hi+1], digitPairs[2*lo], digitPairs[2*lo+1])
}

// digitPairs is "00" to "99": two decimal digits per lookup.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// jsonSafe marks, for each ASCII byte, whether appendJSONString copies it
// as is ('1'): not a control character, quote, backslash, <, > or &. A
// constant string rather than a table variable: nothing can change it.
const jsonSafe = "00000000000000000000000000000000" +
	"11011101111111111111111111110101" +
	"11111111111111111111111111110111" +
	"11111111111111111111111111111111"

// load8 returns s[i:i+8] as a little-endian word (the compiler merges
// the byte loads into one).
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// jsonSafe8 reports whether all eight bytes of x are ones appendJSONString
// copies as they are (jsonSafe): none below 0x20, none of " \\ < > &,
// none with the high bit set (UTF-8 needs a look). hasZero is the classic
// exact test for a zero byte in a word.
func jsonSafe8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	bad := x&highs | (x-ones*0x20)&^x&highs | // high bit, or below 0x20
		hasZero(x^(ones*'"')) | hasZero(x^(ones*'\\')) |
		hasZero(x^(ones*'<')) | hasZero(x^(ones*'>')) | hasZero(x^(ones*'&'))
	return bad == 0
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it: quotes, backslashes, control characters, <, > and & (HTML
// safety), U+2028 and U+2029, and invalid UTF-8 as U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none of them needs a look: most of
		// an answer's text (item ids, reasons) is plain ASCII.
		if i+8 <= len(s) && jsonSafe8(load8(s, i)) {
			i += 8
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] == '1' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
