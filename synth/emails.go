package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// freeMail are the free-mail providers per country, most used first.
var freeMail = map[string]*wtable{
	"FR": zipfTable([]string{"gmail.com", "orange.fr", "hotmail.fr", "yahoo.fr", "free.fr", "sfr.fr",
		"laposte.net", "outlook.fr", "wanadoo.fr", "hotmail.com", "icloud.com"}, 1.1, 1),
	"US": zipfTable([]string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com",
		"icloud.com", "comcast.net", "msn.com", "att.net"}, 1.1, 1),
	"GB": zipfTable([]string{"gmail.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com",
		"outlook.com", "icloud.com", "sky.com", "live.co.uk", "googlemail.com"}, 1.1, 1),
	"DE": zipfTable([]string{"gmx.de", "web.de", "gmail.com", "t-online.de", "gmx.net",
		"freenet.de", "yahoo.de", "outlook.de", "posteo.de"}, 1.1, 1),
}

// legacyMail are providers of old addresses people no longer use.
var legacyMail = map[string][]string{
	"FR": {"wanadoo.fr", "club-internet.fr", "aol.fr", "neuf.fr", "voila.fr", "caramail.com"},
	"US": {"aol.com", "earthlink.net", "juno.com", "netscape.net", "hotmail.com"},
	"GB": {"tiscali.co.uk", "virginmedia.com", "ntlworld.com", "aol.co.uk"},
	"DE": {"arcor.de", "lycos.de", "freenet.de", "online.de"},
}

// nameParts folds a person's names for e-mail local parts: "Jean-Pierre" → "jean-pierre",
// "de la Fontaine" → "delafontaine", "Müller" → "mueller".
func nameParts(cc, given, family string) (g, f string) {
	if cc == "DE" {
		given, family = germanTranslit(given), germanTranslit(family)
	}
	return slug(given, '-'), slug(family, 0)
}

// personalLocal draws the local part people choose for a free-mail address.
func personalLocal(r *rand.Rand, g, f string, birthYear int) string {
	digits := func() string {
		if birthYear > 0 && r.IntN(2) == 0 {
			return strconv.Itoa(birthYear % 100)
		}
		return strconv.Itoa(between(r, 1, 999))
	}
	switch x := r.IntN(100); {
	case x < 38:
		return g + "." + f
	case x < 48:
		return g + f
	case x < 56:
		return g[:1] + "." + f
	case x < 64:
		return g[:1] + f
	case x < 78:
		return g + "." + f + digits()
	case x < 83:
		return g + "_" + f
	case x < 88:
		return f + "." + g
	case x < 94:
		return g + digits()
	}
	return f + g[:1] + digits()
}

// corporateLocal draws the local part of a company address (the company's convention).
func corporateLocal(convention int, g, f string) string {
	switch convention {
	case 1:
		return g[:1] + "." + f
	case 2:
		return g[:1] + f
	case 3:
		return g + "_" + f
	case 4:
		return f + "." + g
	}
	return g + "." + f
}

// emailConvention is a company's address convention, fixed per company.
func emailConvention(c *Company) int {
	h := 0
	for i := 0; i < len(c.Domain); i++ {
		h = h*31 + int(c.Domain[i])
	}
	if h < 0 {
		h = -h
	}
	if h%10 < 6 {
		return 0
	}
	return h % 5
}

// emailKey folds an address as a matcher would: lower case, gmail dots and +tags removed.
func emailKey(e string) string {
	e = strings.ToLower(strings.Trim(strings.TrimPrefix(strings.TrimSpace(e), "mailto:"), " <>"))
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return e
	}
	local, dom := e[:at], e[at+1:]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if dom == "googlemail.com" {
		dom = "gmail.com"
	}
	if dom == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + dom
}

// emailDomainTypos are misspelled domains people really type.
var emailDomainTypos = map[string][]string{
	"gmail.com":  {"gmial.com", "gmail.con", "gmai.com", "gmail.fr", "gnail.com"},
	"hotmail.fr": {"hotmail.com", "hotmial.fr", "hotmail.fe"}, "hotmail.com": {"hotmal.com", "hotmail.co"},
	"yahoo.fr": {"yahoo.com", "yaho.fr"}, "yahoo.com": {"yahooo.com", "yahoo.co"},
	"orange.fr": {"orange.com", "ornage.fr"}, "gmx.de": {"gmx.com", "gmx.net"},
	"outlook.com": {"outlok.com", "outlook.fr"}, "web.de": {"web.com", "wed.de"},
}

var plusTags = []string{"shop", "news", "crm", "promo", "work", "2024", "amazon", "spam"}
