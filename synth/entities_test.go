package synth

import (
	"regexp"
	"strings"
	"testing"
)

var (
	emailRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$`)
	gbPCRe  = regexp.MustCompile(`^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$`)
	fiveRe  = regexp.MustCompile(`^[0-9]{5}$`)
)

// TestEntitiesClean checks that base entities are clean and internally consistent.
func TestEntitiesClean(t *testing.T) {
	r := newRand(3, streamMain, 0)
	cache := companyCache{seed: 3}
	births, n := 0, 0
	for i := range 20000 {
		cc := allCountries[i%4]
		var co *Company
		if i%3 == 0 {
			co = cache.get(cc, r.IntN(200))
		}
		e := newEntity(r, i, cc, co)
		n++
		if e.given == "" || e.family == "" {
			t.Fatalf("entity without name: %+v", e)
		}
		for _, m := range []string{e.personal, e.corporate, e.old} {
			if m != "" && !emailRe.MatchString(m) {
				t.Fatalf("bad e-mail %q", m)
			}
		}
		if e.corporate != "" && !strings.HasSuffix(e.corporate, "@"+co.Domain) {
			t.Fatalf("corporate e-mail %q not at %s", e.corporate, co.Domain)
		}
		if e.mobile == nil && e.home == nil {
			t.Fatalf("entity without phone: %+v", e)
		}
		if e.birth.known() {
			births++
			if e.birth.d < 1 || e.birth.d > daysIn(e.birth.y, e.birth.m) || e.birth.y < 1940 || e.birth.y > 2006 {
				t.Fatalf("bad birth date %+v", e.birth)
			}
		}
		civ := civility(cc, e.male, false)
		if cc == "FR" && (civ == "M.") != e.male || cc == "DE" && (civ == "Herr") != e.male {
			t.Fatalf("civility %q for male=%v", civ, e.male)
		}
		checkAddress(t, e.addr)
		if cc == "FR" && e.home != nil && e.home.area != e.addr.city.areas[0] {
			t.Fatalf("landline zone %s for %s", e.home.area, e.addr.city.name)
		}
	}
	if share := float64(births) / float64(n); share < 0.55 || share > 0.65 {
		t.Errorf("%.2f of people have a birth date, want about 0.6", share)
	}
}

func checkAddress(t *testing.T, a *address) {
	t.Helper()
	switch a.cc {
	case "FR":
		if !contains(a.city.codes, a.postcode) {
			t.Fatalf("postcode %s not of %s", a.postcode, a.city.name)
		}
	case "GB":
		if !gbPCRe.MatchString(a.postcode) || !strings.HasPrefix(a.postcode, strings.Fields(a.postcode)[0]) {
			t.Fatalf("bad UK postcode %q", a.postcode)
		}
	default:
		if !fiveRe.MatchString(a.postcode) {
			t.Fatalf("bad %s postcode %q", a.cc, a.postcode)
		}
	}
	l := a.line1()
	if a.cc == "DE" && !strings.HasSuffix(l, a.number) || a.cc != "DE" && !strings.HasPrefix(l, a.number+" ") {
		t.Fatalf("street line %q", l)
	}
}

func TestTextHelpers(t *testing.T) {
	for in, want := range map[string]string{"Lefèvre": "Lefevre", "Müller": "Muller", "Weiß": "Weiss", "Œuvre": "OEuvre", "Ayşe": "Ayse"} {
		if got := dropAccents(in); got != want {
			t.Errorf("dropAccents(%q) = %q, want %q", in, got, want)
		}
	}
	if got := germanTranslit("Jürgen Müller-Weiß"); got != "Juergen Mueller-Weiss" {
		t.Errorf("germanTranslit = %q", got)
	}
	if got := slug("de la Fontaine", 0); got != "delafontaine" {
		t.Errorf("slug = %q", got)
	}
	if got := emailKey(" J.Martin+shop@GoogleMail.com "); got != "jmartin@gmail.com" {
		t.Errorf("emailKey = %q", got)
	}
	if got := initialOf("Jean-Pierre", true); got != "J.-P." {
		t.Errorf("initialOf = %q", got)
	}
	r := newRand(1, streamMain, 0)
	for range 1000 {
		s := typo(r, "Martin")
		if d := len([]rune(s)) - 6; s == "" || d < -1 || d > 1 {
			t.Fatalf("typo(Martin) = %q", s)
		}
	}
}
