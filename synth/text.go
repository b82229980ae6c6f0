package synth

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// accents maps accented letters to their plain form, case kept (ß → ss, œ → oe).
var accents = map[rune]string{}

func init() {
	lower := map[rune]string{
		'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'æ': "ae", 'ç': "c",
		'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i",
		'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'œ': "oe",
		'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ş': "s", 'ğ': "g",
		'ł': "l", 'č': "c", 'š': "s", 'ž': "z", 'ř': "r", 'ć': "c", 'ń': "n", 'ś': "s",
	}
	for k, v := range lower {
		accents[k] = v
		accents[unicode.ToUpper(k)] = strings.ToUpper(v)
	}
	accents['ß'] = "ss"
	accents['ı'] = "i"
	accents['İ'] = "I"
}

// hasNonASCII reports whether s has a byte outside ASCII.
func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// dropAccents replaces accented letters by plain ones: "Lefèvre" → "Lefevre".
func dropAccents(s string) string {
	if !hasNonASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		if p, ok := accents[c]; ok {
			b.WriteString(p)
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// germanTranslit writes umlauts the German way: "Müller" → "Mueller", "Straße" → "Strasse".
func germanTranslit(s string) string {
	if !hasNonASCII(s) {
		return s
	}
	return umlauts.Replace(s)
}

var umlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ß", "ss")

// slug folds s to lower-case ASCII letters and digits, other runs of characters becoming
// sep (or vanishing when sep is 0): "Jean-Pierre" → "jeanpierre" or "jean.pierre".
func slug(s string, sep byte) string {
	s = strings.ToLower(dropAccents(s))
	b := make([]byte, 0, len(s))
	pending := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if pending && sep != 0 && len(b) > 0 {
				b = append(b, sep)
			}
			pending = false
			b = append(b, c)
			continue
		}
		pending = true
	}
	return string(b)
}

// titleCase upper-cases the first letter of each word (after a space or hyphen) and
// lower-cases the rest, as naive systems do: "o'brien" → "O'brien", "MCDONALD" → "Mcdonald".
func titleCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, c := range s {
		if start {
			b.WriteRune(unicode.ToUpper(c))
		} else {
			b.WriteRune(unicode.ToLower(c))
		}
		start = c == ' ' || c == '-'
	}
	return b.String()
}

// keyboard gives neighbouring keys of a QWERTY keyboard, for realistic substitutions.
var keyboard = map[rune]string{
	'a': "qwsz", 'b': "vghn", 'c': "xdfv", 'd': "serfcx", 'e': "wsdr", 'f': "drtgvc",
	'g': "ftyhbv", 'h': "gyujnb", 'i': "ujko", 'j': "huikmn", 'k': "jiolm", 'l': "kop",
	'm': "njk", 'n': "bhjm", 'o': "iklp", 'p': "ol", 'q': "wa", 'r': "edft", 's': "awedxz",
	't': "rfgy", 'u': "yhji", 'v': "cfgb", 'w': "qase", 'x': "zsdc", 'y': "tghu", 'z': "asx",
}

// typo applies one keyboard typo to s: insert, delete, substitute or transpose one letter.
// The first letter is hit less often, as in real data. Short words are left alone.
func typo(r *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	pos := 1 + r.IntN(len(rs)-1)
	if r.IntN(10) == 0 {
		pos = 0
	}
	if !unicode.IsLetter(rs[pos]) {
		return s
	}
	upper := unicode.IsUpper(rs[pos])
	near := func(c rune) rune {
		n := keyboard[unicode.ToLower(dropAccentRune(c))]
		if n == "" {
			return c
		}
		x := rune(n[r.IntN(len(n))])
		if upper {
			x = unicode.ToUpper(x)
		}
		return x
	}
	switch r.IntN(4) {
	case 0: // insert: doubled letter or a neighbour
		ins := rs[pos]
		if r.IntN(2) == 0 {
			ins = near(rs[pos])
		}
		rs = append(rs[:pos+1], append([]rune{ins}, rs[pos+1:]...)...)
	case 1:
		rs = append(rs[:pos], rs[pos+1:]...)
	case 2:
		rs[pos] = near(rs[pos])
	default:
		pos = max(pos, 1)
		if pos+1 < len(rs) && unicode.IsLetter(rs[pos+1]) && rs[pos] != rs[pos+1] {
			rs[pos], rs[pos+1] = rs[pos+1], rs[pos]
		} else {
			rs = append(rs[:pos], rs[pos+1:]...)
		}
	}
	return string(rs)
}

func dropAccentRune(c rune) rune {
	if p, ok := accents[c]; ok {
		return rune(p[0])
	}
	return c
}

// phoneticPairs are spelling variants that sound alike; misspell swaps one of them.
var phoneticPairs = [][2]string{
	{"ph", "f"}, {"th", "t"}, {"y", "i"}, {"ei", "ai"}, {"ey", "ay"}, {"ll", "l"},
	{"nn", "n"}, {"tt", "t"}, {"ss", "s"}, {"ck", "k"}, {"eau", "o"}, {"ault", "aut"},
	{"mm", "m"}, {"dt", "t"}, {"tz", "z"}, {"ie", "y"}, {"ou", "oo"}, {"ch", "sch"},
	{"rr", "r"}, {"ff", "f"}, {"ai", "ay"}, {"qu", "k"}, {"c", "k"},
}

// misspell applies a sound-alike spelling change ("Meyer" → "Meier", "Philippe" →
// "Filippe"), or a keyboard typo when none fits.
func misspell(r *rand.Rand, s string) string {
	if len(s) < 4 {
		return s
	}
	start := r.IntN(len(phoneticPairs))
	for i := range phoneticPairs {
		p := phoneticPairs[(start+i)%len(phoneticPairs)]
		from, to := p[0], p[1]
		if r.IntN(2) == 0 {
			from, to = to, from
		}
		if j := strings.Index(s[1:], from); j >= 0 {
			j++
			return s[:j] + to + s[j+len(from):]
		}
	}
	return typo(r, s)
}
