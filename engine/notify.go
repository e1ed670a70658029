package engine

import (
	"errors"
	"time"

	"reco/features"
)

// Notification answers go to people who did not ask: e-mail, push, SMS.
// They respect frequency caps — an item goes to a user on a channel at
// most once per NotifyCapWindow, and a user gets at most NotifyCapPerDay
// answers per 24 hours — and skip users who did not consent. Caps are
// state like any other: Notify records them at once and returns
// "notified" events for the caller to write to the log, so that they
// survive restarts and reach every replica.

// NotifyOutcome says what Notify did besides answering.
type NotifyOutcome struct {
	// Skipped is why no answer was given ("no consent", "daily cap").
	Skipped string `json:"skipped,omitempty"`
	// NextAllowedAt is when the daily cap frees the user again (unix ms),
	// when this answer reached it or the user was skipped for it.
	NextAllowedAt int64 `json:"next_allowed_at,omitempty"`
	// Events are the "notified" events to write to the log.
	Events []*Event `json:"-"`
}

// ErrNoChannel is returned by Notify without a channel.
var ErrNoChannel = errors.New("notification needs a channel (email, push, sms, ...)")

// Notify answers req as a notification on channel at now.
func (e *Engine) Notify(req *Request, channel string, now time.Time) (*Response, *NotifyOutcome, error) {
	if channel == "" {
		return nil, nil, &RequestError{"channel", ErrNoChannel.Error()}
	}
	if err := req.Validate(); err != nil {
		return nil, nil, err
	}
	// The caps are read under the read lock and the answer recorded under
	// the write lock, with the answer computed in between: two Notify calls
	// for one user side by side (two batches at once) would both pass a
	// cap that has room for one. Notifications are a batch job, not a page
	// view: one at a time costs nothing that matters.
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	nowMs := now.UnixMilli()
	out := &NotifyOutcome{}
	var oldestToday int64
	answersToday := 0
	e.mu.RLock()
	if uid, ok := e.users.Lookup(req.User); ok && req.User != "" {
		u := e.users.User(uid)
		if !u.Consent {
			e.mu.RUnlock()
			out.Skipped = "no consent"
			return nil, out, nil
		}
		answersToday, oldestToday = countAnswers(u.Notified, nowMs-24*3_600_000)
		// An answer is known by its timestamp: two answers to one user in
		// the same millisecond must not merge into one.
		for _, n := range u.Notified {
			if n.TS >= nowMs {
				nowMs = n.TS + 1
			}
		}
		window := nowMs - e.cfg.NotifyCapWindow.Milliseconds()
		for _, n := range u.Notified {
			if n.Channel == channel && n.TS > window {
				req.Exclude = append(req.Exclude, e.catalog.Item(n.Item).ID)
			}
		}
	}
	e.mu.RUnlock()
	if answersToday >= e.cfg.NotifyCapPerDay {
		out.Skipped = "daily cap"
		out.NextAllowedAt = oldestToday + 24*3_600_000
		return nil, out, nil
	}
	resp, err := e.Recommend(req)
	if err != nil {
		return nil, nil, err
	}
	if len(resp.Items) == 0 || req.User == "" {
		return resp, out, nil
	}
	for _, it := range resp.Items {
		ev := &Event{Type: TypeNotified, User: req.User, Item: it.Item, Channel: channel, TS: nowMs,
			ID: resp.RequestID + "~" + it.Item}
		out.Events = append(out.Events, ev)
	}
	e.mu.Lock()
	for _, ev := range out.Events {
		e.applyLocked(ev) // recorded now; the logged copy is a duplicate id
	}
	e.unlockApplied(true)
	if answersToday+1 >= e.cfg.NotifyCapPerDay {
		if answersToday == 0 {
			oldestToday = nowMs
		}
		out.NextAllowedAt = oldestToday + 24*3_600_000
	}
	return resp, out, nil
}

// countAnswers counts the distinct answers (one timestamp each) since
// `since`, and returns the oldest of them.
func countAnswers(ns []features.Notification, since int64) (n int, oldest int64) {
	var seen [32]int64
	distinct := seen[:0]
	for _, x := range ns {
		if x.TS <= since {
			continue
		}
		dup := false
		for _, t := range distinct {
			if t == x.TS {
				dup = true
				break
			}
		}
		if !dup {
			distinct = append(distinct, x.TS)
			if oldest == 0 || x.TS < oldest {
				oldest = x.TS
			}
		}
	}
	return len(distinct), oldest
}
