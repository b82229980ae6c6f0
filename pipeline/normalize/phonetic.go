package normalize

import "github.com/steward-crm/steward/fold"

// PhoneticVersion names the algorithm of Phonetic. Stored blocking keys built with another
// version must be recomputed (re-cleansing run) before they are compared.
const PhoneticVersion = "sdx-fde-1"

// Phonetic returns a phonetic code of a surname for blocking and matching, stable and
// ASCII: a letter and three digits, "" when s has no Latin letter. It is Soundex run on a
// key whose spelling has first been normalized for French, German and English surnames,
// so that spellings Soundex alone tells apart share a code:
//
//   - the first letter is canonical: Catherine/Katherine (C before a hard vowel → K),
//     Philippe/Filip (PH → F), Wagner/Vagner (W → V), Yves/Ives (Y → I), Zimmer/Simmer;
//   - German and French digraphs: SCH, SH and CH → S (Schmidt/Smith, Fischer/Fisher),
//     CHR → KR (Christian/Kristian), TZ → S (Schwartz/Schwarz), DT → T, CK → K, QU → K;
//   - French endings: EAU, AULT, AUD, AUT, AUX → O (Renault/Renaud/Reno), a final E is
//     dropped (Lange/Lang) and so is one final S, X, T or D (Dupont/Dupond, Schmitt/Schmid).
//
// Accents and case are folded first (fold.Compact); the input is never assumed ASCII, so
// it cannot panic on any string, unlike smetrics.Soundex on "".
func Phonetic(s string) string {
	k := fold.Compact(s)
	b := make([]byte, 0, len(k)+2)
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return ""
	}
	b = spell(b)
	if len(b) == 0 {
		return ""
	}
	out := []byte{b[0] - 'a' + 'A', '0', '0', '0'}
	last := soundexClass(b[0])
	o := 1
	for i := 1; i < len(b) && o < 4; i++ {
		c := soundexClass(b[i])
		switch {
		case c == 'v': // a vowel separates two equal codes
			last = 'v'
		case c == 'h': // h and w do not
		case c != last:
			out[o] = c
			o++
			last = c
		}
	}
	return string(out)
}

// spell rewrites a lower-case ASCII surname as described on Phonetic.
func spell(b []byte) []byte {
	at := func(i int, s string) bool { return i+len(s) <= len(b) && string(b[i:i+len(s)]) == s }
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		switch {
		case at(i, "sch") && !at(i, "schr"):
			out, i = append(out, 's'), i+3
		case at(i, "chr"):
			out, i = append(out, 'k', 'r'), i+3
		case at(i, "ch"), at(i, "sh"):
			out, i = append(out, 's'), i+2
		case at(i, "ph"):
			out, i = append(out, 'f'), i+2
		case at(i, "th"):
			out, i = append(out, 't'), i+2
		case at(i, "ck"), at(i, "qu"):
			out, i = append(out, 'k'), i+2
		case at(i, "tz"):
			out, i = append(out, 's'), i+2
		case at(i, "dt"):
			out, i = append(out, 't'), i+2
		case at(i, "eaux"), at(i, "ault"):
			out, i = append(out, 'o'), i+4
		case at(i, "eau") || ((at(i, "aud") || at(i, "aut") || at(i, "aux")) && i+3 == len(b)):
			out, i = append(out, 'o'), i+3
		default:
			c := b[i]
			switch c {
			case 'c':
				c = 'k'
				if i+1 < len(b) && (b[i+1] == 'e' || b[i+1] == 'i' || b[i+1] == 'y') {
					c = 's'
				}
			case 'q':
				c = 'k'
			case 'w':
				c = 'v'
			case 'y':
				c = 'i'
			case 'z', 'x':
				c = 's'
			}
			if len(out) == 0 || out[len(out)-1] != c {
				out = append(out, c)
			}
			i++
		}
	}
	if len(out) > 2 && out[len(out)-1] == 'e' {
		out = out[:len(out)-1]
	}
	if len(out) > 3 {
		switch out[len(out)-1] {
		case 's', 't', 'd':
			out = out[:len(out)-1]
		}
	}
	return out
}

// soundexClass returns the Soundex digit of a letter, 'v' for a vowel and 'h' for h.
func soundexClass(c byte) byte {
	switch c {
	case 'b', 'f', 'p', 'v':
		return '1'
	case 'c', 'g', 'j', 'k', 'q', 's', 'x', 'z':
		return '2'
	case 'd', 't':
		return '3'
	case 'l':
		return '4'
	case 'm', 'n':
		return '5'
	case 'r':
		return '6'
	case 'h', 'w':
		return 'h'
	}
	return 'v'
}
