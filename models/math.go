package models

import "math"

// pow is math.Pow with the two exponents the models use most made cheap.
func pow(x, y float64) float64 {
	switch y {
	case 0:
		return 1
	case 0.5:
		return math.Sqrt(x)
	case 1:
		return x
	}
	return math.Pow(x, y)
}
