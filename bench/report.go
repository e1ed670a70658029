package bench

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// WriteTable prints the report as an aligned text table: one row per
// model, the metrics at each K, then replay and query speed.
func WriteTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "dataset %s, protocol %s: %d test users, %d training events\n\n", r.Dataset, r.Protocol, r.Users, r.Events)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "model\t")
	for _, k := range r.Ks {
		ks := strconv.Itoa(k)
		fmt.Fprintf(tw, "recall@%s\tndcg@%s\thr@%s\tmrr@%s\tcov@%s\t", ks, ks, ks, ks, ks)
	}
	fmt.Fprint(tw, "replay ev/s\tp50 µs\tp99 µs\t\n")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t", res.Model)
		for _, k := range r.Ks {
			ks := strconv.Itoa(k)
			for _, m := range []string{"recall@", "ndcg@", "hr@", "mrr@", "coverage@"} {
				fmt.Fprintf(tw, "%.4f\t", res.Metrics[m+ks])
			}
		}
		fmt.Fprintf(tw, "%.0f\t%.0f\t%.0f\t\n", res.ReplayEventsPerS, res.QueryP50us, res.QueryP99us)
	}
	tw.Flush()
}

// WritePlotSVG draws NDCG@K and Recall@K against K for every model, side
// by side, as a self-contained SVG.
func WritePlotSVG(w io.Writer, r *Report) {
	const (
		panelW, panelH = 420, 300
		left, top      = 50, 40
		plotW, plotH   = 330, 210
	)
	colors := []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", 2*panelW, panelH+20*len(r.Results)/2+40)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for p, metric := range []string{"ndcg", "recall"} {
		ox := p * panelW
		maxV := 0.0
		for _, res := range r.Results {
			for _, k := range r.Ks {
				maxV = max(maxV, res.Metrics[metric+"@"+strconv.Itoa(k)])
			}
		}
		if maxV == 0 {
			maxV = 1
		}
		maxV *= 1.1
		minK, maxK := r.Ks[0], r.Ks[len(r.Ks)-1]
		x := func(k int) float64 {
			if maxK == minK {
				return float64(ox+left) + plotW/2
			}
			return float64(ox+left) + plotW*float64(k-minK)/float64(maxK-minK)
		}
		y := func(v float64) float64 { return top + plotH*(1-v/maxV) }
		fmt.Fprintf(w, `<text x="%d" y="20" font-weight="bold">%s@K — %s (%s)</text>`+"\n", ox+left, metric, r.Dataset, r.Protocol)
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", ox+left, top+plotH, ox+left+plotW, top+plotH)
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", ox+left, top, ox+left, top+plotH)
		for i := 0; i <= 4; i++ {
			v := maxV * float64(i) / 4
			fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end">%.3f</text>`+"\n", ox+left-4, y(v)+4, v)
		}
		for _, k := range r.Ks {
			fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", x(k), top+plotH+16, k)
		}
		for i, res := range r.Results {
			c := colors[i%len(colors)]
			pts := ""
			for _, k := range r.Ks {
				v := res.Metrics[metric+"@"+strconv.Itoa(k)]
				pts += fmt.Sprintf("%.1f,%.1f ", x(k), y(v))
				fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x(k), y(v), c)
			}
			fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", pts, c)
		}
	}
	for i, res := range r.Results {
		lx, ly := left+(i%4)*160, panelH+10+(i/4)*20
		fmt.Fprintf(w, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, ly, colors[i%len(colors)], lx+16, ly+11, res.Model)
	}
	fmt.Fprintln(w, "</svg>")
}
