package match

import "github.com/xrash/smetrics"

// jaroWinkler is smetrics.JaroWinkler(a, b, 0.7, 4) without its allocations (match flags
// live on the stack for strings up to 64 bytes; longer ones go to smetrics). It returns 0
// when either side is empty and 1 for equal strings.
func jaroWinkler(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	if len(a) > 64 || len(b) > 64 {
		return smetrics.JaroWinkler(a, b, 0.7, 4)
	}
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	prefix := min(len(a), len(b), 4)
	var p float64
	for i := 0; i < prefix && a[i] == b[i]; i++ {
		p++
	}
	return j + 0.1*p*(1-j)
}

// jaro is smetrics.Jaro for non-empty strings of at most 64 bytes.
func jaro(a, b string) float64 {
	var ma, mb [64]bool
	r := max(len(a), len(b))/2 - 1
	r = max(r, 0)
	matches := 0
	for i := 0; i < len(a); i++ {
		lo, hi := max(0, i-r), min(len(b)-1, i+r)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	unaligned, j := 0, 0
	for i := 0; i < len(a); i++ {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			unaligned++
		}
		j++
	}
	m := float64(matches)
	t := float64(unaligned / 2)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-t)/m) / 3
}
