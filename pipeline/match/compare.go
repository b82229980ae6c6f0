package match

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/steward-crm/steward/rules"
	"github.com/xrash/smetrics"
)

// levelFunc reports whether a level holds for one pair of values.
type levelFunc func(a, b string) bool

// level is a compiled rules.Level.
type level struct {
	name   string
	field  string // compared field; the comparison's unless the rule says otherwise
	kind   string
	holds  levelFunc
	weight float64 // log2(m/u)
	u      float64
	// fieldID indexes Features.vals.
	fieldID int
	// tf adjusts the weight by the frequency of the agreeing value (nil: no adjustment).
	tf *termFrequency
	// tfWanted: the rules ask for term-frequency adjustment of this level.
	tfWanted bool
	// ordered: the comparator gets its two values in sorted order (Jaro–Winkler's greedy
	// matching is not exactly symmetric; the other kinds are).
	ordered bool
	// isElse: the kind is "else" (checked per pair: a bool, not a string comparison).
	isElse bool
	// jw: the kind is jaro_winkler with threshold jwMin; compare computes the similarity
	// of a pair of values once for all such levels of a comparison.
	jw    bool
	jwMin float64
	// guardID indexes the field that must not differ for the level to hold
	// (rules.Level.UnlessDiffer); -1: none.
	guardID int
}

// comparison is a compiled rules.Comparison.
type comparison struct {
	name   string
	field  string
	levels []level
	// names: some level reads a given or family name (a crosswise reading changes it).
	names bool
}

// levelKinds builds the test of each level kind. It is the one place where kinds are
// defined; rules.LevelKinds lists the same names (a test checks it).
func (e *Engine) levelKinds() map[string]func(t float64) levelFunc {
	return map[string]func(t float64) levelFunc{
		"exact": func(float64) levelFunc { return func(a, b string) bool { return a == b } },
		"jaro_winkler": func(t float64) levelFunc {
			return func(a, b string) bool { return jaroWinkler(a, b) >= t }
		},
		"levenshtein": func(t float64) levelFunc {
			k := int(math.Floor(t))
			return func(a, b string) bool { return withinEdits(a, b, k) }
		},
		"phonetic": func(float64) levelFunc {
			return samePhonetic
		},
		"nickname":        func(float64) levelFunc { return e.nicknames },
		"initial":         func(float64) levelFunc { return initial },
		"date_within":     func(t float64) levelFunc { return func(a, b string) bool { return daysApart(a, b) <= t } },
		"date_transposed": func(float64) levelFunc { return dateTransposed },
		"numeric": func(t float64) levelFunc {
			td := thresholdDecimal(t)
			return func(a, b string) bool { return decimalsWithin(a, b, td) }
		},
		"token_subset": func(t float64) levelFunc {
			if t == 0 {
				return tokenSubset
			}
			return func(a, b string) bool { return tokenSubsetNear(a, b, t) }
		},
		// present holds whenever both sides have the field: after the levels that compare
		// it, it means "both known and different", which ends the fallback to the next
		// fields of the comparison (two different streets: the city no longer counts).
		"present": func(float64) levelFunc { return func(string, string) bool { return true } },
		"else":    func(float64) levelFunc { return func(string, string) bool { return true } },
	}
}

func (e *Engine) compile(cs []rules.Comparison) ([]comparison, error) {
	kinds := e.levelKinds()
	out := make([]comparison, 0, len(cs))
	for _, c := range cs {
		cc := comparison{name: c.Name, field: c.Field}
		for _, l := range c.Levels {
			mk, ok := kinds[l.Kind]
			if !ok {
				return nil, fmt.Errorf("comparison %s: unknown level kind %q", c.Name, l.Kind)
			}
			f := l.Field
			if f == "" {
				f = c.Field
			}
			id, ok := fieldIDs[f]
			if !ok {
				return nil, fmt.Errorf("comparison %s: unknown field %q", c.Name, f)
			}
			guard := -1
			if l.UnlessDiffer != "" {
				if guard, ok = fieldIDs[l.UnlessDiffer]; !ok {
					return nil, fmt.Errorf("comparison %s: level %s: unknown field %q", c.Name, l.Name, l.UnlessDiffer)
				}
			}
			cc.levels = append(cc.levels, level{name: l.Name, field: f, kind: l.Kind, holds: mk(l.Threshold),
				weight: math.Log2(l.M / l.U), u: l.U, fieldID: id, tfWanted: l.TermFrequency, ordered: l.Kind == "jaro_winkler", isElse: l.Kind == "else",
				jw: l.Kind == "jaro_winkler", jwMin: l.Threshold, guardID: guard})
			// A guard on a name reads it crosswise too.
			cc.names = cc.names || id == givenID || id == familyID || guard == givenID || guard == familyID
		}
		out = append(out, cc)
	}
	return out, nil
}

// Phonetic is the phonetic code used for matching and blocking: Soundex of the folded key
// without spaces. Empty input gives "".
func Phonetic(key string) string {
	k := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, key)
	if k == "" {
		return ""
	}
	return smetrics.Soundex(k)
}

// nicknames holds when one given name is a short form of the other
// (Tables.Nicknames: "bob" → "robert"), or both are short forms of one name that begin
// with the same two letters ("bob" ~ "bobby", "kate" ~ "katie"): forms of different parts
// of a name are often names of their own ("chris" and "tina" of "christine", "hans" and
// "jo" of "johannes") and do not agree.
func (e *Engine) nicknames(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ca, cb := e.canon(a), e.canon(b)
	for _, x := range ca {
		if x == b {
			return true
		}
		for _, y := range cb {
			if x == y && sameStart(a, b, 2) {
				return true
			}
		}
	}
	for _, y := range cb {
		if y == a {
			return true
		}
	}
	return false
}

// sameStart reports whether a and b begin with the same n letters (both have n).
func sameStart(a, b string, n int) bool {
	for range n {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if na == 0 || nb == 0 || ra != rb {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return true
}

func (e *Engine) canon(k string) []string {
	if e.rules == nil {
		return nil
	}
	return e.rules.Tables.Nicknames[k]
}

// initial holds when one side is initials (single letters: "j", "j c") that start the
// other side's words in order, as far as both go: "j" ~ "jean", "j c" ~ "jean claude",
// and "r g" ~ "roy" (a middle initial the other side leaves out), not "j l" ~ "jean
// claude". Letters, not bytes: "д" is an initial of "дмитрий".
func initial(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" || b == "" {
		return false
	}
	if !isInitials(a) {
		if !isInitials(b) {
			return false
		}
		a, b = b, a
	}
	for a != "" && b != "" {
		_, n := utf8.DecodeRuneInString(a)
		if !strings.HasPrefix(b, a[:n]) {
			return false
		}
		a = strings.TrimLeft(a[n:], " ")
		if i := strings.IndexByte(b, ' '); i >= 0 {
			b = strings.TrimLeft(b[i:], " ")
		} else {
			b = ""
		}
	}
	return true
}

// isInitials reports whether every space-separated word of s is one letter (words
// apart by spaces, as initial walks them).
func isInitials(s string) bool {
	for s != "" {
		_, n := utf8.DecodeRuneInString(s)
		if s = s[n:]; s != "" {
			if s[0] != ' ' {
				return false
			}
			s = strings.TrimLeft(s, " ")
		}
	}
	return true
}

// withinEdits reports whether the Levenshtein distance of a and b (in letters, unit
// costs; on ASCII values smetrics.WagnerFischer(a, b, 1, 1, 1), which counts bytes: one
// Cyrillic letter left out was two edits) is at most k. It strips the common prefix and
// suffix, then fills only the diagonal band |i-j| ≤ k of the table and stops as soon as a
// row exceeds k: linear in the length for the small k a level uses, and allocation-free
// for short values.
func withinEdits(a, b string, k int) bool {
	if !isASCII(a) || !isASCII(b) {
		return withinEditsLetters(a, b, k)
	}
	return withinEditsBytes(a, b, k)
}

// withinEditsLetters is withinEdits of values that are not all ASCII.
//
//go:noinline
func withinEditsLetters(a, b string, k int) bool {
	var bufA, bufB [64]byte
	if la, lb, ok := letterBytes(a, b, bufA[:0], bufB[:0]); ok {
		a, b = unsafe.String(unsafe.SliceData(la), len(la)), unsafe.String(unsafe.SliceData(lb), len(lb))
	}
	return withinEditsBytes(a, b, k)
}

// withinEditsBytes is withinEdits counting bytes.
func withinEditsBytes(a, b string, k int) bool {
	if k < 0 {
		return false
	}
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if d := len(a) - len(b); d > k || -d > k {
		return false
	}
	if len(a) == 0 || len(b) == 0 {
		return max(len(a), len(b)) <= k
	}
	const big = 1 << 30
	var buf [2 * 65]int
	var prev, cur []int
	if len(b) < 65 {
		prev, cur = buf[:len(b)+1], buf[65:65+len(b)+1]
	} else {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		if lo > 1 {
			cur[lo-1] = big
		} else {
			cur[0] = i
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			// Cells outside the band hold big (set at its edges each row).
			v := prev[j-1]
			if a[i-1] != b[j-1] {
				v = min(v, prev[j], cur[j-1]) + 1
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < len(b) {
			cur[hi+1] = big
		}
		if rowMin > k {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(b)] <= k
}

// tokenSubset holds when every word of the shorter value is a word of the other and the
// values differ: "bulow" and "von bulow", "krause" and "dornhuber krause" (a particle or
// one half of a double name left out). A one-letter word alone does not count.
func tokenSubset(a, b string) bool { return tokenSubsetNear(a, b, 0) }

// tokenSubsetNear is tokenSubset with words that agree at a Jaro–Winkler similarity of
// at least t ("guerin" and "geurin chabillet": a married name added to a misspelt one),
// or equal when t is 0; one-letter words must be equal.
func tokenSubsetNear(a, b string, t float64) bool {
	if a == "" || b == "" || a == b {
		return false
	}
	if oneWord(a) && oneWord(b) {
		return false // two different single words (ASCII: without counting words)
	}
	na, nb := words(a), words(b)
	if t > 0 && na == 1 && nb == 1 {
		return false // two single words: the jaro_winkler levels compare them
	}
	if na > nb {
		a, b = b, a
	}
	// With as many words on both sides, a repeated word makes either the shorter one
	// ("garcia garcia" and "lopez garcia"): both are tried, so that the level is symmetric.
	return wordsIn(a, b, t) || (na == nb && wordsIn(b, a, t))
}

// wordsIn reports whether every word of a agrees with a word of b (equal for one letter
// or when t is 0, Jaro–Winkler at least t otherwise) and one of them has more than one
// letter.
func wordsIn(a, b string, t float64) bool {
	long := 0
	for x := range strings.FieldsSeq(a) {
		one := oneLetter(x)
		if one || t == 0 {
			if !hasWord(b, x) {
				return false
			}
		} else if !hasWordNear(b, x, t) {
			return false
		}
		if !one {
			long++
		}
	}
	return long > 0
}

// hasWordNear reports whether s has a word of more than one letter within a Jaro–Winkler
// similarity of t of x.
func hasWordNear(s, x string, t float64) bool {
	for y := range strings.FieldsSeq(s) {
		if !oneLetter(y) && jaroWinkler(x, y) >= t {
			return true
		}
	}
	return false
}

// oneLetter reports whether the word w is a single letter ("д" as well as "j").
func oneLetter(w string) bool {
	_, n := utf8.DecodeRuneInString(w)
	return n == len(w)
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

func daysApart(a, b string) float64 {
	ta, ok1 := parseDate(a)
	tb, ok2 := parseDate(b)
	if !ok1 || !ok2 {
		return math.Inf(1)
	}
	return math.Abs(ta.Sub(tb).Hours() / 24)
}

// numbersWithin holds when a and b both start with a number (digits, then optionally a
// decimal point and digits) and those numbers are at most t apart: a birth date's year
// ("1984-03-07": 1984), a postcode. A value that does not start with a digit holds no
// number: the level does not hold. The numbers are compared exactly, as decimals: "1.3"
// and "1.0" are 0.3 apart (0.30000000000000004 in floating point), and numbers of more
// digits than a float64 holds keep every one (at 0, "12345678901234567890" is not
// "12345678901234567891"); t is read as the shortest decimal that spells it (0.3, not
// 0.299999999999999988898).
func numbersWithin(a, b string, t float64) bool {
	return decimalsWithin(a, b, thresholdDecimal(t))
}

// decimal is a number as read from its digits: digits (without leading zeros: "" is 0)
// × 10^-scale. ok is false for a value that holds no number (or a threshold of NaN).
type decimal struct {
	digits string
	scale  int
	ok     bool
	inf    bool // a threshold of +Inf: any two numbers are within it
}

// thresholdDecimal reads a level's threshold as a decimal (the rules refuse a negative,
// NaN or infinite one).
func thresholdDecimal(t float64) decimal {
	switch {
	case math.IsInf(t, 1):
		return decimal{ok: true, inf: true}
	case !(t >= 0):
		return decimal{}
	}
	return leadingNumber(strconv.FormatFloat(t, 'f', -1, 64))
}

// decimalsWithin is numbersWithin with the threshold read.
func decimalsWithin(a, b string, t decimal) bool {
	x, y := leadingNumber(a), leadingNumber(b)
	if !x.ok || !y.ok || !t.ok {
		return false
	}
	if t.inf {
		return true
	}
	// The three at one scale: integers, compared as uint64 when they fit, else as big
	// integers.
	scale := max(x.scale, y.scale, t.scale)
	if n := scale + max(len(x.digits)-x.scale, len(y.digits)-y.scale, len(t.digits)-t.scale); n <= 19 {
		xi, yi, ti := x.scaled(scale), y.scaled(scale), t.scaled(scale)
		if xi < yi {
			xi, yi = yi, xi
		}
		return xi-yi <= ti
	}
	xb, yb, tb := x.big(scale), y.big(scale), t.big(scale)
	d := xb.Sub(xb, yb)
	return d.Abs(d).Cmp(tb) <= 0
}

// scaled returns d × 10^scale (scale ≥ d.scale) as an integer: the caller checked that it
// fits in 19 digits.
func (d decimal) scaled(scale int) uint64 {
	var v uint64
	for i := 0; i < len(d.digits); i++ {
		v = v*10 + uint64(d.digits[i]-'0')
	}
	for range scale - d.scale {
		v *= 10
	}
	return v
}

// big returns d × 10^scale (scale ≥ d.scale) as a big integer.
func (d decimal) big(scale int) *big.Int {
	v, _ := new(big.Int).SetString("0"+d.digits+strings.Repeat("0", scale-d.scale), 10)
	return v
}

// leadingNumber reads the number s starts with.
func leadingNumber(s string) decimal {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return decimal{}
	}
	whole, frac := s[:i], ""
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		frac = strings.TrimRight(s[i+1:j], "0")
	}
	return decimal{digits: strings.TrimLeft(whole+frac, "0"), scale: len(frac), ok: true}
}

// dateTransposed holds when a and b are the same date with day and month swapped.
func dateTransposed(a, b string) bool {
	if len(a) != 10 || len(b) != 10 || a == b {
		return false
	}
	// YYYY-MM-DD: swap MM and DD of a.
	return a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7]
}
