package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadCSV loads a CSV file whose header has user and item columns and
// optionally ts (unix seconds or milliseconds), rating, type and price.
// Without rating every row is a positive of its type (default purchase);
// without ts, file order is time.
func LoadCSV(path string) (*Dataset, error) {
	ds := &Dataset{Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))}
	err := readCSV(path, func(h map[string]int, rec []string, line int) error {
		ui, ok1 := h["user"]
		ii, ok2 := h["item"]
		if !ok1 || !ok2 {
			return fmt.Errorf("header must have user and item columns")
		}
		r := Row{User: rec[ui], Item: rec[ii], Type: "purchase"}
		if r.User == "" || r.Item == "" {
			return fmt.Errorf("empty user or item")
		}
		if i, ok := h["ts"]; ok && rec[i] != "" {
			ts, err := strconv.ParseInt(rec[i], 10, 64)
			if err != nil {
				return fmt.Errorf("ts: %w", err)
			}
			if ts < 100_000_000_000 { // seconds: before 1973 in ms, after 5138 in s
				ts *= 1000
			}
			r.TS = ts
		}
		if i, ok := h["rating"]; ok && rec[i] != "" {
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return fmt.Errorf("rating: %w", err)
			}
			r.Rating, r.Type, ds.HasRating = v, "rate", true
		}
		if i, ok := h["type"]; ok && rec[i] != "" && r.Type != "rate" {
			r.Type = rec[i]
		}
		if i, ok := h["price"]; ok && rec[i] != "" {
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				return fmt.Errorf("price: %w", err)
			}
			r.Price = v
		}
		ds.Rows = append(ds.Rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// LoadBaskets loads one basket per line, items separated by commas.
func LoadBaskets(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baskets: %w", err)
	}
	defer f.Close()
	ds := &Dataset{Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var b []string
		seen := map[string]bool{}
		for _, it := range strings.Split(sc.Text(), ",") {
			if it = strings.TrimSpace(it); it != "" && !seen[it] {
				seen[it] = true
				b = append(b, it)
			}
		}
		if len(b) > 0 {
			ds.Baskets = append(ds.Baskets, b)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("baskets: reading %s: %w", path, err)
	}
	return ds, nil
}
