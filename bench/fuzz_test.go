package bench

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoaders feeds arbitrary bytes to every dataset loader: each must
// either load or return an error, never panic.
func FuzzLoaders(f *testing.F) {
	f.Add([]byte("user,item,ts,rating\nu1,i1,1700000000,4\n"))
	f.Add([]byte("1\t2\t5\t881250949\n"))
	f.Add([]byte("a,b,c\n\nd\n"))
	f.Add([]byte("userId,movieId,rating,timestamp\n1,2,x,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		for _, name := range []string{"x.csv", "u.data", "ratings.csv", "u.item"} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if ds, err := LoadCSV(filepath.Join(dir, "x.csv")); err == nil {
			for _, r := range ds.Rows {
				if r.User == "" || r.Item == "" {
					t.Fatalf("loaded a row without user or item: %+v", r)
				}
			}
		}
		LoadBaskets(filepath.Join(dir, "x.csv"))
		LoadMovieLens(dir)
		os.Remove(filepath.Join(dir, "u.data"))
		LoadMovieLens(dir) // the ratings.csv path
	})
}
