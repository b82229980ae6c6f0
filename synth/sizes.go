package synth

import "math/rand/v2"

// sizePlan draws entity sizes (records per entity) so that the share of duplicate
// records tracks the target: pairs are the most frequent clusters, larger ones rarer
// (weights 1/j² for j extra records), and the chance of an entity having duplicates is
// steered by what is left to produce.
type sizePlan struct {
	max  int
	w    []float64 // weight of j+1 extra records
	mean float64   // mean extra records of an entity with duplicates
}

func newSizePlan(max int) sizePlan {
	p := sizePlan{max: max}
	total, sum := 0.0, 0.0
	for j := 1; j < max; j++ {
		w := 1 / float64(j*j)
		p.w = append(p.w, w)
		total += w
		sum += w * float64(j)
	}
	if total > 0 {
		p.mean = sum / total
	}
	return p
}

// next returns the size of the next entity, given the records still to produce and the
// duplicates still wanted.
func (p *sizePlan) next(r *rand.Rand, remaining, dupsWanted int) int {
	if dupsWanted <= 0 || p.max < 2 || remaining < 2 {
		return 1
	}
	q := min(float64(dupsWanted)/float64(remaining), 0.99)
	target := q / (1 - q) // extra records per entity needed on average
	var extra int
	if prob := target / p.mean; prob < 1 {
		if !chance(r, prob) {
			return 1
		}
		extra = 1 + weighted(r, p.w)
	} else {
		big := 1.0
		if span := float64(p.max-1) - p.mean; span > 0 {
			big = (target - p.mean) / span
		}
		if chance(r, big) {
			extra = p.max - 1
		} else {
			extra = 1 + weighted(r, p.w)
		}
	}
	return 1 + min(extra, dupsWanted, remaining-1)
}
