package synth

import (
	"strings"
)

var emailOps = []corruption{
	{"email_missing", 0.25, func(c *corrupter, x *rendering) bool {
		if len(x.rec.Emails) == 0 {
			return false
		}
		x.rec.Emails = nil
		x.facts &^= factPersonal | factCorporate | factOld
		return true
	}},
	{"email_added", 0.1, func(c *corrupter, x *rendering) bool {
		for _, m := range x.e.emails(c.r.IntN(2) == 0) {
			if !contains(x.rec.Emails, m) {
				x.addEmail(m)
				return true
			}
		}
		return false
	}},
	{"email_old", 0.15, func(c *corrupter, x *rendering) bool {
		old := x.e.old
		if old == "" {
			g, f := nameParts(x.e.cc, x.e.given, x.e.family)
			old = personalLocal(c.r, g, f, x.e.birth.y) + "@" + pick(c.r, legacyMail[x.e.cc])
			// A made-up address must not be another person's mailbox.
			if c.claim != nil && x.emailFact(old) == 0 {
				old = c.claim(old)
			}
		}
		x.rec.Emails = nil
		x.facts &^= factPersonal | factCorporate | factOld
		x.addEmail(old)
		// An old address comes with an old record.
		x.old = true
		return true
	}},
	{"email_case", 0.15, func(c *corrupter, x *rendering) bool {
		return x.editEmail(c, func(m string) string {
			if c.r.IntN(2) == 0 {
				return strings.ToUpper(m[:1]) + m[1:strings.IndexByte(m, '@')+1] + titleCase(m[strings.IndexByte(m, '@')+1:])
			}
			return strings.ToUpper(m)
		})
	}},
	{"gmail_dots", 0.4, func(c *corrupter, x *rendering) bool {
		return x.editEmail(c, func(m string) string {
			at := strings.IndexByte(m, '@')
			if dom := m[at+1:]; dom != "gmail.com" && dom != "googlemail.com" {
				return m
			}
			local := m[:at]
			if strings.Contains(local, ".") {
				local = strings.ReplaceAll(local, ".", "")
			} else if len(local) > 3 {
				i := 1 + c.r.IntN(len(local)-2)
				local = local[:i] + "." + local[i:]
			}
			dom := m[at+1:]
			if c.r.IntN(5) == 0 {
				dom = map[string]string{"gmail.com": "googlemail.com", "googlemail.com": "gmail.com"}[dom]
			}
			return local + "@" + dom
		})
	}},
	{"email_plus_tag", 0.1, func(c *corrupter, x *rendering) bool {
		return x.editEmail(c, func(m string) string {
			at := strings.IndexByte(m, '@')
			return m[:at] + "+" + pick(c.r, plusTags) + m[at:]
		})
	}},
	{"email_noise", 0.04, func(c *corrupter, x *rendering) bool {
		return x.editEmail(c, func(m string) string {
			return pick(c.r, []string{" " + m, m + " ", "mailto:" + m, "<" + m + ">"})
		})
	}},
	{"email_domain_typo", 0.05, func(c *corrupter, x *rendering) bool {
		if len(x.rec.Emails) == 0 {
			return false
		}
		i := c.r.IntN(len(x.rec.Emails))
		m := x.rec.Emails[i]
		at := strings.LastIndexByte(m, '@')
		typos, ok := emailDomainTypos[strings.ToLower(strings.TrimSpace(m[at+1:]))]
		if at < 0 || !ok {
			return false
		}
		x.facts &^= x.emailFact(m)
		x.rec.Emails[i] = m[:at+1] + pick(c.r, typos)
		return true
	}},
}

// editEmail applies f to one of the record's addresses; the address keeps its fact
// (a matcher folding case, gmail dots and +tags still finds it).
func (x *rendering) editEmail(c *corrupter, f func(string) string) bool {
	if len(x.rec.Emails) == 0 {
		return false
	}
	i := c.r.IntN(len(x.rec.Emails))
	old := x.rec.Emails[i]
	x.rec.Emails[i] = f(old)
	return old != x.rec.Emails[i]
}

func (x *rendering) emailFact(m string) uint32 {
	switch emailKey(m) {
	case emailKey(x.e.personal):
		return factPersonal
	case emailKey(x.e.corporate):
		return factCorporate
	case emailKey(x.e.old):
		return factOld
	}
	return 0
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

var phoneOps = []corruption{
	{"phone_format", 0.9, func(c *corrupter, x *rendering) bool {
		if len(x.rec.Phones) == 0 {
			return false
		}
		x.rec.Phones = x.rec.Phones[:0]
		style := c.r.IntN(fmtCount)
		for _, p := range x.phones() {
			if x.facts&x.phoneFact(p) != 0 {
				x.rec.Phones = append(x.rec.Phones, p.format(style))
			}
		}
		return true
	}},
	{"phone_missing", 0.25, func(c *corrupter, x *rendering) bool {
		if len(x.rec.Phones) == 0 {
			return false
		}
		x.rec.Phones = nil
		x.facts &^= factMobile | factHome | factDirect | factSwitchboard
		return true
	}},
	{"phone_other", 0.15, func(c *corrupter, x *rendering) bool {
		for _, p := range x.phones() {
			if x.facts&x.phoneFact(p) == 0 {
				x.addPhone(p, c.r.IntN(fmtCount))
				return true
			}
		}
		// A number the other records never saw: a new mobile, a partner's phone...
		p := newMobile(c.r, x.e.cc)
		x.rec.Phones = append(x.rec.Phones, p.format(c.r.IntN(fmtCount)))
		return true
	}},
	{"phone_swap", 0.2, func(c *corrupter, x *rendering) bool {
		ps := x.rec.Phones
		if len(ps) < 2 {
			return false
		}
		ps[0], ps[1] = ps[1], ps[0]
		return true
	}},
	{"phone_noise", 0.1, func(c *corrupter, x *rendering) bool {
		if len(x.rec.Phones) == 0 {
			return false
		}
		i := c.r.IntN(len(x.rec.Phones))
		if c.r.IntN(2) == 0 {
			x.rec.Phones[i] = pick(c.r, phoneNoisePrefix) + x.rec.Phones[i]
		} else {
			x.rec.Phones[i] += pick(c.r, phoneNoiseSuffix)
		}
		return true
	}},
	{"phone_digit_typo", 0.05, func(c *corrupter, x *rendering) bool {
		for _, p := range x.phones() {
			if x.facts&x.phoneFact(p) != 0 {
				x.facts &^= factMobile | factHome | factDirect | factSwitchboard
				x.rec.Phones = []string{p.withDigitTypo(c.r).format(c.r.IntN(fmtCount))}
				return true
			}
		}
		return false
	}},
}
