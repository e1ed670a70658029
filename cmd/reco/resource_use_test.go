package main

import "testing"

func TestParseProcStat(t *testing.T) {
	for _, tc := range []struct {
		name       string
		content    string
		busy, idle int64
		ok         bool
	}{
		{"linux 6", "cpu  149 1 40 7 2 3 4 5 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n", 149 + 1 + 40 + 3 + 4 + 5, 7 + 2, true},
		{"no steal column", "cpu  1 2 3 4 5 6 7\n", 0, 0, false},
		{"per-CPU line first", "cpu0 1 2 3 4 5 6 7 8\n", 0, 0, false},
		{"not a number", "cpu  1 2 x 4 5 6 7 8\n", 0, 0, false},
		{"empty", "", 0, 0, false},
	} {
		busy, idle, ok := parseProcStat(tc.content)
		if busy != tc.busy || idle != tc.idle || ok != tc.ok {
			t.Errorf("%s: parseProcStat = %d, %d, %v; want %d, %d, %v", tc.name, busy, idle, ok, tc.busy, tc.idle, tc.ok)
		}
	}
}

func TestResourceUseIdlePercent(t *testing.T) {
	start := resourceUse{busy: 100, idle: 10, faults: 5, sleeps: 7}
	u := resourceUse{busy: 190, idle: 20, faults: 45, sleeps: 10}.since(start)
	if u.faults != 40 || u.sleeps != 3 || u.busy != 90 || u.idle != 10 {
		t.Fatalf("since = %+v", u)
	}
	if got := u.idlePercent(); got != 10 {
		t.Errorf("idlePercent = %v, want 10", got)
	}
	if (resourceUse{process: true}).since(resourceUse{}).process {
		t.Error("since kept process figures measured at only one end")
	}
	if got := (resourceUse{}).idlePercent(); got != -1 {
		t.Errorf("idlePercent of nothing = %v, want -1", got)
	}
}
