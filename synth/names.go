package synth

import (
	"math/rand/v2"
	"strings"
)

// nameSet holds one country's name tables.
type nameSet struct {
	male, female, surnames    *wtable
	rarePre, rareMid, rareSuf []string
	// rareRate is the share of surnames synthesized from parts (some 20,000 per
	// language): the long tail of names that appear once or twice in a file. With the
	// list's rank skew, the most common name (Martin, Smith, Müller) is about 1% of its
	// country, a few times its real share, so that common-name namesakes abound.
	rareRate float64
}

var nameSets = map[string]*nameSet{
	"FR": {male: zipfTable(frMale, 1, 4), female: zipfTable(frFemale, 1, 4),
		surnames: zipfTable(frSurnames, 0.6, 5), rarePre: frRarePre, rareMid: frRareMid, rareSuf: frRareSuf, rareRate: 0.45},
	"US": {male: zipfTable(usMale, 1, 4), female: zipfTable(usFemale, 1, 4),
		surnames: zipfTable(usSurnames, 0.6, 5), rarePre: enRarePre, rareMid: enRareMid, rareSuf: enRareSuf, rareRate: 0.45},
	"GB": {male: zipfTable(gbMale, 1, 4), female: zipfTable(gbFemale, 1, 4),
		surnames: zipfTable(gbSurnames, 0.6, 5), rarePre: enRarePre, rareMid: enRareMid, rareSuf: enRareSuf, rareRate: 0.45},
	"DE": {male: zipfTable(deMale, 1, 4), female: zipfTable(deFemale, 1, 4),
		surnames: zipfTable(deSurnames, 0.6, 5), rarePre: deRarePre, rareMid: deRareMid, rareSuf: deRareSuf, rareRate: 0.45},
}

// givenName draws a given name for the country and gender.
func givenName(r *rand.Rand, cc string, male bool) string {
	ns := nameSets[cc]
	if male {
		return ns.male.draw(r)
	}
	return ns.female.draw(r)
}

// surname draws a family name: mostly from the frequency list, else a rare synthesized
// one; a few are double-barrelled.
func surname(r *rand.Rand, cc string) string {
	ns := nameSets[cc]
	var s string
	if chance(r, ns.rareRate) {
		pre, suf := pick(r, ns.rarePre), pick(r, ns.rareSuf)
		for i := 0; i < 4 && strings.Contains(strings.ToLower(pre), suf[:min(3, len(suf))]); i++ {
			suf = pick(r, ns.rareSuf) // no "Hofhofer"
		}
		mid := ""
		if r.IntN(20) < 9 {
			mid = pick(r, ns.rareMid)
		}
		s = pre + mid + suf
		if cc == "FR" && r.IntN(12) == 0 {
			s = "Le " + s
		}
	} else {
		s = ns.surnames.draw(r)
	}
	if cc != "US" && r.IntN(50) == 0 && !strings.ContainsAny(s, " -") {
		s += "-" + ns.surnames.draw(r)
	}
	return s
}

// middleInitial returns a middle initial for US/GB people (often kept in CRMs).
func middleInitial(r *rand.Rand, cc string) string {
	if (cc == "US" && chance(r, 0.4)) || (cc == "GB" && chance(r, 0.15)) {
		return string(rune('A' + r.IntN(26)))
	}
	return ""
}

// nicknames maps formal given names to the short forms people and agents really use.
var nicknames = map[string][]string{
	"Robert": {"Bob", "Rob", "Bobby"}, "William": {"Bill", "Will", "Billy"},
	"Richard": {"Rick", "Dick", "Rich"}, "James": {"Jim", "Jimmy", "Jamie"},
	"John": {"Jack", "Johnny"}, "Michael": {"Mike", "Mick"}, "Thomas": {"Tom", "Tommy"},
	"Christopher": {"Chris"}, "Daniel": {"Dan", "Danny"}, "Matthew": {"Matt"},
	"Anthony": {"Tony"}, "Joseph": {"Joe", "Joey"}, "Charles": {"Charlie", "Chuck"},
	"Edward": {"Ed", "Ted", "Eddie"}, "Alexander": {"Alex", "Sandy"}, "Andrew": {"Andy", "Drew"},
	"Benjamin": {"Ben"}, "Nicholas": {"Nick"}, "Jonathan": {"Jon"}, "Samuel": {"Sam"},
	"Steven": {"Steve"}, "Stephen": {"Steve"}, "Timothy": {"Tim"}, "Gregory": {"Greg"},
	"Kenneth": {"Ken", "Kenny"}, "Ronald": {"Ron", "Ronnie"}, "Donald": {"Don"},
	"Jeffrey": {"Jeff"}, "Lawrence": {"Larry"}, "Gerald": {"Jerry"}, "Douglas": {"Doug"},
	"Raymond": {"Ray"}, "Zachary": {"Zach"}, "Frederick": {"Fred"}, "Philip": {"Phil"},
	"Peter": {"Pete"}, "Patrick": {"Pat", "Paddy"}, "Harold": {"Harry"}, "Henry": {"Harry", "Hank"},
	"Katherine": {"Kate", "Katie", "Kathy"}, "Catherine": {"Cathy", "Kate"},
	"Elizabeth": {"Liz", "Beth", "Betty", "Lizzie"}, "Margaret": {"Peggy", "Maggie", "Meg"},
	"Jennifer": {"Jen", "Jenny"}, "Patricia": {"Pat", "Patty", "Trish"}, "Susan": {"Sue"},
	"Deborah": {"Debbie", "Deb"}, "Rebecca": {"Becky", "Becca"}, "Victoria": {"Vicky", "Tori"},
	"Christine": {"Chris", "Tina"}, "Jessica": {"Jess"}, "Barbara": {"Barb"},
	"Abigail": {"Abby"}, "Samantha": {"Sam"}, "Kimberly": {"Kim"}, "Pamela": {"Pam"},
	"Cynthia": {"Cindy"}, "Judith": {"Judy"}, "Theresa": {"Terri"}, "Eleanor": {"Ellie"},
	"Alexandra": {"Alex"}, "Dorothy": {"Dot"}, "Joanne": {"Jo"}, "Nicola": {"Nicky"},
	"Alexandre": {"Alex"}, "Nicolas": {"Nico"}, "Christophe": {"Chris"}, "Frédéric": {"Fred"},
	"Emmanuel": {"Manu"}, "Sébastien": {"Seb"}, "Jean-Baptiste": {"JB"}, "Jean-Pierre": {"JP"},
	"Stéphanie": {"Steph"}, "Véronique": {"Véro"}, "Isabelle": {"Isa"}, "Valérie": {"Val"},
	"Maxime": {"Max"}, "Élisabeth": {"Babette", "Lisa"}, "Dominique": {"Dom"},
	"Wolfgang": {"Wolf"}, "Johannes": {"Hannes", "Jo"}, "Katharina": {"Kathi", "Katja"},
	"Christian": {"Chris"}, "Maximilian": {"Max"}, "Friedrich": {"Fritz"},
	"Gabriele": {"Gabi"}, "Andreas": {"Andi"}, "Stefanie": {"Steffi"}, "Susanne": {"Susi"},
	"Matthias": {"Matze"}, "Tobias": {"Tobi"}, "Sebastian": {"Basti"}, "Hans-Peter": {"Hans"},
	"Karl-Heinz": {"Kalle"}, "Hannelore": {"Hanne"},
}

// civility returns the canonical civility of a person.
func civility(cc string, male, doctor bool) string {
	if doctor {
		return "Dr."
	}
	switch cc {
	case "FR":
		if male {
			return "M."
		}
		return "Mme"
	case "DE":
		if male {
			return "Herr"
		}
		return "Frau"
	case "US":
		if male {
			return "Mr."
		}
		return "Ms."
	}
	if male {
		return "Mr"
	}
	return "Mrs"
}

// civilityVariants are the other ways sources write each civility.
var civilityVariants = map[string][]string{
	"M.":   {"M", "Monsieur", "Mr", "MR", "M.", "monsieur"},
	"Mme":  {"Madame", "MME", "Mme.", "Mlle", "madame", "Mrs"},
	"Herr": {"Hr.", "Herrn", "HERR", "Mr"},
	"Frau": {"Fr.", "FRAU", "Ms"},
	"Mr.":  {"Mr", "MR", "mr.", "Mister"},
	"Ms.":  {"Ms", "Mrs.", "Miss", "MS"},
	"Mr":   {"Mr.", "MR", "Mister"},
	"Mrs":  {"Mrs.", "Ms", "Miss", "MRS"},
	"Dr.":  {"Dr", "DR", "Doctor", "Prof. Dr."},
}

// wrongCivility is a data-entry error: the civility of the other gender.
func wrongCivility(cc string, male bool) string { return civility(cc, !male, false) }
