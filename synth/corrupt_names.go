package synth

import "strings"

// nameCase changes the case of names as systems do: family name in capitals (the French
// habit), everything upper or lower, or naive title case ("O'brien", "Mcdonald").
func (c *corrupter) nameCase(x *rendering) bool {
	rec := x.rec
	old := rec.GivenName + "|" + rec.FamilyName + "|" + rec.FullName
	switch c.r.IntN(4) {
	case 0:
		rec.FamilyName = strings.ToUpper(rec.FamilyName)
		if rec.FullName != "" {
			rec.FullName = replaceWord(rec.FullName, x.e.family, strings.ToUpper(x.e.family))
		}
	case 1:
		rec.GivenName, rec.FamilyName = strings.ToUpper(rec.GivenName), strings.ToUpper(rec.FamilyName)
		rec.FullName = strings.ToUpper(rec.FullName)
	case 2:
		rec.GivenName, rec.FamilyName = strings.ToLower(rec.GivenName), strings.ToLower(rec.FamilyName)
		rec.FullName = strings.ToLower(rec.FullName)
	default:
		rec.GivenName, rec.FamilyName = titleCase(rec.GivenName), titleCase(rec.FamilyName)
		rec.FullName = titleCase(rec.FullName)
	}
	return old != rec.GivenName+"|"+rec.FamilyName+"|"+rec.FullName
}

// particles are the lower-case name particles that systems mangle.
var particles = []string{"de la ", "de ", "du ", "d'", "van der ", "von der ", "von ", "van ",
	"zu ", "ter ", "ap ", "Le ", "La ", "Da ", "Dos ", "De la ", "Van ", "St. ", "St ", "N'", "Ben "}

// hyphens mangles compound names: "Jean-Pierre" → "Jean Pierre", "JeanPierre" or "Jean";
// "de la Fontaine" → "Delafontaine", "De La Fontaine" or "Fontaine"; "O'Brien" → "OBrien".
func (c *corrupter) hyphens(x *rendering) bool {
	if strings.ContainsAny(x.e.given, "- ") && c.r.IntN(2) == 0 {
		g := x.e.given
		var n string
		switch c.r.IntN(4) {
		case 0:
			n = strings.ReplaceAll(g, "-", " ")
		case 1:
			n = strings.ReplaceAll(g, "-", "")
		case 2:
			n = g[:strings.IndexAny(g, "- ")]
		default:
			n = strings.ReplaceAll(g, "-", " - ")
		}
		if x.editName(true, func(s string) string { return replaceWord(s, g, n) }) {
			return true
		}
	}
	f := x.e.family
	n := f
	for _, p := range particles {
		if strings.HasPrefix(f, p) {
			rest := f[len(p):]
			switch c.r.IntN(4) {
			case 0:
				n = titleCase(strings.ReplaceAll(strings.ReplaceAll(f, " ", ""), "'", ""))
			case 1:
				n = titleCase(f)
			case 2:
				n = rest
			default:
				n = rest + " (" + strings.TrimSpace(p) + ")"
			}
			break
		}
	}
	if n == f {
		switch {
		case strings.HasPrefix(f, "O'"):
			n = pick(c.r, []string{"O" + f[2:], "O " + f[2:], "O’" + f[2:]})
		case strings.HasPrefix(f, "Mc"), strings.HasPrefix(f, "Mac"):
			n = pick(c.r, []string{titleCase(f), strings.Replace(f, "c", "c ", 1), strings.Replace(f, "Mc", "Mac", 1)})
		case strings.Contains(f, "-"):
			parts := strings.Split(f, "-")
			n = pick(c.r, []string{strings.Join(parts, " "), parts[0], parts[len(parts)-1]})
		case strings.Contains(f, " "):
			n = strings.ReplaceAll(f, " ", "")
		default:
			return false
		}
	}
	return x.editName(false, func(s string) string { return replaceWord(s, f, n) })
}

// fullNameOnly moves the names into full_name, in one of the orders people use.
func (c *corrupter) fullNameOnly(x *rendering) bool {
	rec := x.rec
	if rec.FullName != "" || rec.GivenName == "" || rec.FamilyName == "" {
		return false
	}
	g, f := rec.GivenName, rec.FamilyName
	switch c.r.IntN(5) {
	case 0:
		rec.FullName = strings.ToUpper(f) + " " + g
	case 1:
		rec.FullName = f + ", " + g
	case 2:
		rec.FullName = f + " " + g
	default:
		rec.FullName = g + " " + f
	}
	if rec.Civility != "" && c.r.IntN(4) == 0 {
		rec.FullName = rec.Civility + " " + rec.FullName
	}
	rec.GivenName, rec.FamilyName = "", ""
	return true
}
