package synth

import (
	"math/bits"
	"math/rand/v2"
	"strings"
)

// corruption is one operation of the corruption model: it fires on a duplicate record
// with probability p·Corruption and reports whether it changed anything.
type corruption struct {
	name string
	p    float64
	fn   func(*corrupter, *rendering) bool
}

// corrupter corrupts duplicate records at one intensity.
type corrupter struct {
	r     *rand.Rand
	level float64
	stats *Stats
	// claim, when set, makes an address nobody's yet (Generator.claim).
	claim func(addr string) string
}

// model lists the operations in the order they are applied. The probabilities are those
// of Corruption = 1; they scale linearly with the intensity.
var model []corruption

func init() {
	model = append(model, nameOps...)
	model = append(model, emailOps...)
	model = append(model, phoneOps...)
	model = append(model, addressOps...)
	model = append(model, otherOps...)
}

// corrupt applies the model to a duplicate, then makes sure it still shares a strong
// fact with the entity's first record.
func (c *corrupter) corrupt(x, base *rendering) {
	for i := range model {
		op := &model[i]
		if chance(c.r, op.p*c.level) && op.fn(c, x) {
			c.stats.Corruptions[op.name]++
			c.stats.CorruptionOps++
		}
	}
	if x.facts&base.facts&strongFacts == 0 {
		shared := base.facts & strongFacts
		n := bits.OnesCount32(shared)
		k := c.r.IntN(n)
		for f := uint32(1); f != 0; f <<= 1 {
			if shared&f != 0 {
				if k == 0 {
					c.restoreFact(x, f)
					break
				}
				k--
			}
		}
		c.stats.Restored++
	}
}

// restoreFact puts one fact of the entity back into the record, in some format.
func (c *corrupter) restoreFact(x *rendering, f uint32) {
	e, r := x.e, c.r
	switch f {
	case factPersonal:
		x.addEmail(e.personal)
	case factCorporate:
		x.addEmail(e.corporate)
	case factOld:
		x.addEmail(e.old)
	case factMobile:
		x.addPhone(e.mobile, r.IntN(fmtCount))
	case factHome:
		x.addPhone(e.home, r.IntN(fmtCount))
	case factDirect:
		x.addPhone(e.direct, r.IntN(fmtCount))
	case factBirth:
		x.rec.BirthDate = formatDate(r, e.cc, e.birth)
		x.facts |= factBirth
	case factHomeAddr:
		x.work = false
		x.facts &^= factWorkAddr
		x.setAddress(r, r.IntN(len(countryForms[e.cc])))
	}
}

var nameOps = []corruption{
	{"given_typo", 0.2, func(c *corrupter, x *rendering) bool {
		return x.editName(true, func(s string) string { return typo(c.r, s) })
	}},
	{"family_typo", 0.25, func(c *corrupter, x *rendering) bool {
		if c.r.IntN(3) == 0 {
			return x.editName(false, func(s string) string { return misspell(c.r, s) })
		}
		return x.editName(false, func(s string) string { return typo(c.r, s) })
	}},
	{"drop_accents", 0.5, func(c *corrupter, x *rendering) bool {
		f := dropAccents
		if x.e.cc == "DE" && c.r.IntN(2) == 0 {
			f = germanTranslit
		}
		a := x.editName(true, f)
		return x.editName(false, f) || a
	}},
	{"case", 0.35, (*corrupter).nameCase},
	{"swap_names", 0.12, func(c *corrupter, x *rendering) bool {
		rec := x.rec
		if rec.GivenName == "" || rec.FamilyName == "" {
			return false
		}
		rec.GivenName, rec.FamilyName = rec.FamilyName, rec.GivenName
		return true
	}},
	{"nickname", 0.25, func(c *corrupter, x *rendering) bool {
		nick, ok := nicknames[x.e.given]
		if !ok {
			return false
		}
		n := pick(c.r, nick)
		return x.editName(true, func(s string) string { return replaceWord(s, x.e.given, n) })
	}},
	{"initial", 0.12, func(c *corrupter, x *rendering) bool {
		ini := initialOf(x.e.given, c.r.IntN(3) != 0)
		return x.editName(true, func(s string) string { return replaceWord(s, x.e.given, ini) })
	}},
	{"hyphen_particle", 0.4, (*corrupter).hyphens},
	{"middle_initial", 0.3, func(c *corrupter, x *rendering) bool {
		if x.e.middle == "" || x.rec.GivenName == "" {
			return false
		}
		x.rec.GivenName += " " + x.e.middle + "."
		return true
	}},
	{"full_name_only", 0.2, (*corrupter).fullNameOnly},
	{"double_family_name", 0.04, func(c *corrupter, x *rendering) bool {
		if x.rec.FamilyName == "" {
			return false
		}
		x.rec.FamilyName += "-" + surname(c.r, x.e.cc)
		return true
	}},
	{"civility_variant", 0.35, func(c *corrupter, x *rendering) bool {
		if x.rec.Civility == "" || c.r.IntN(2) == 0 {
			was := x.rec.Civility
			x.rec.Civility = ""
			if was == "" {
				x.rec.Civility = civility(x.e.cc, x.e.male, x.e.doctor)
			}
			return true
		}
		x.rec.Civility = pick(c.r, civilityVariants[x.rec.Civility])
		return true
	}},
	{"wrong_civility", 0.03, func(c *corrupter, x *rendering) bool {
		x.rec.Civility = wrongCivility(x.e.cc, x.e.male)
		return true
	}},
}

// editName applies f to the given (or family) name wherever the record holds it.
func (x *rendering) editName(given bool, f func(string) string) bool {
	rec := x.rec
	if rec.FullName != "" {
		target := x.e.family
		if given {
			target = x.e.given
		}
		if i := strings.Index(rec.FullName, target); i >= 0 && target != "" {
			n := rec.FullName[:i] + f(target) + rec.FullName[i+len(target):]
			changed := n != rec.FullName
			rec.FullName = n
			return changed
		}
		old := rec.FullName
		rec.FullName = f(rec.FullName)
		return old != rec.FullName
	}
	p := &rec.FamilyName
	if given {
		p = &rec.GivenName
	}
	if *p == "" {
		return false
	}
	old := *p
	*p = f(*p)
	return old != *p
}

// replaceWord replaces the first from in s by to, or returns to when s lacks from.
func replaceWord(s, from, to string) string {
	if i := strings.Index(s, from); i >= 0 {
		return s[:i] + to + s[i+len(from):]
	}
	return s
}

// initialOf returns "J." (or "J") for "Jean", "J.-P." for "Jean-Pierre".
func initialOf(given string, dot bool) string {
	var b strings.Builder
	for i, part := range strings.Split(given, "-") {
		if part == "" {
			continue
		}
		if i > 0 {
			b.WriteByte('-')
		}
		r := []rune(part)
		b.WriteRune(r[0])
		if dot {
			b.WriteByte('.')
		}
	}
	return b.String()
}
