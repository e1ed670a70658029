package metrics

import (
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	r.Counter("reco_x_total", Label("reason", `bad "json"`), "Things.").Add(3)
	r.Counter("reco_x_total", Label("reason", "ok"), "Things.").Inc()
	r.GaugeFunc("reco_lag", "", "Lag.", func() float64 { return 7 })
	h := r.Histogram("reco_seconds", Label("route", "feed"), "Time.", []float64{0.001, 0.01})
	h.Observe(0.0005)
	h.Observe(0.005)
	h.Observe(5)
	var b strings.Builder
	r.Expose(&b)
	want := []string{
		"# TYPE reco_x_total counter",
		`reco_x_total{reason="bad \"json\""} 3`,
		`reco_x_total{reason="ok"} 1`,
		"# TYPE reco_lag gauge", "reco_lag 7",
		`reco_seconds_bucket{route="feed",le="0.001"} 1`,
		`reco_seconds_bucket{route="feed",le="0.01"} 2`,
		`reco_seconds_bucket{route="feed",le="+Inf"} 3`,
		`reco_seconds_count{route="feed"} 3`,
		`reco_seconds_sum{route="feed"} 5.0055`,
	}
	for _, w := range want {
		if !strings.Contains(b.String(), w+"\n") {
			t.Errorf("exposition lacks %q:\n%s", w, b.String())
		}
	}
	if strings.Count(b.String(), "# TYPE reco_x_total") != 1 {
		t.Error("a family's TYPE line is repeated")
	}
}
