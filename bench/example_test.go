package bench_test

import (
	"context"
	"fmt"

	"reco/bench"
)

// Run replays a dataset through the engine and scores its answers.
func Example() {
	ds := &bench.Dataset{Name: "tiny", HasRating: true}
	for u := 0; u < 30; u++ {
		user := fmt.Sprintf("u%d", u)
		for i := 0; i < 6; i++ {
			// Everyone likes the same six films in the same order.
			ds.Rows = append(ds.Rows, bench.Row{User: user, Item: fmt.Sprintf("film%d", i), Rating: 5, TS: int64(1000*u + i), Type: "rate"})
		}
	}
	rep, err := bench.Run(context.Background(), ds, bench.Options{Ks: []int{1}, Models: []string{"blend", "popular"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Results {
		fmt.Printf("%s hr@1=%.2f\n", r.Model, r.Metrics["hr@1"])
	}
	// Output:
	// blend hr@1=1.00
	// popular hr@1=1.00
}
