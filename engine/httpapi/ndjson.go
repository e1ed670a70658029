package httpapi

import "bytes"

// eachLine calls fn for every non-blank line of an NDJSON body with its
// 1-based line number, until fn returns false.
func eachLine(body []byte, fn func(line int, l []byte) bool) {
	line := 0
	for len(body) > 0 {
		var l []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			l, body = body[:i], body[i+1:]
		} else {
			l, body = body, nil
		}
		line++
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if !fn(line, l) {
			return
		}
	}
}
