package synth

import (
	"math/rand/v2"
	"strings"
)

// phone is a clean phone number: area (without trunk prefix) + subscriber digits.
type phone struct {
	cc     string
	area   string
	sub    string
	mobile bool
}

// nsn is the national significant number.
func (p phone) nsn() string { return p.area + p.sub }

var callingCodes = map[string]string{"FR": "33", "US": "1", "GB": "44", "DE": "49"}

// digitsFrom returns n digits, the first one in first (a set of allowed digits).
func digitsFrom(r *rand.Rand, first string, n int) string {
	b := make([]byte, 0, n)
	b = append(b, first[r.IntN(len(first))])
	return string(appendDigits(r, b, n-1))
}

// newMobile returns a mobile number valid under libphonenumber's rules for the country.
func newMobile(r *rand.Rand, cc string) phone {
	p := phone{cc: cc, mobile: true}
	switch cc {
	case "FR":
		if r.IntN(10) < 7 {
			p.area = "6" + string("01245678"[r.IntN(8)])
		} else {
			p.area = "7" + string("3456789"[r.IntN(7)])
		}
		p.sub = digitsFrom(r, "0123456789", 7)
	case "US":
		ct := drawCity(r, cc)
		return newLandline(r, cc, ct, true)
	case "GB":
		d2 := "45789"[r.IntN(5)]
		d3 := map[byte]string{'4': "012346789", '5': "1345679", '7': "1234567", '8': "014569", '9': "0245789"}[d2]
		p.area = "7" + string(d2) + string(d3[r.IntN(len(d3))]) + string(byte('0'+r.IntN(10)))
		p.sub = digitsFrom(r, "0123456789", 6)
	case "DE":
		switch r.IntN(3) {
		case 0:
			p.area = "15" + string("0125679"[r.IntN(7)]) + string(byte('0'+r.IntN(10)))
			p.sub = digitsFrom(r, "123456789", 7)
		case 1:
			p.area = "16" + string("023"[r.IntN(3)])
			p.sub = digitsFrom(r, "123456789", 7+r.IntN(2))
		default:
			p.area = "17" + string(byte('0'+r.IntN(10)))
			p.sub = digitsFrom(r, "123456789", 7+r.IntN(2))
		}
	}
	return p
}

// newLandline returns a fixed-line number of the city's area (for the US, any NANP
// number of the city's area codes; mobile only flags how it is used).
func newLandline(r *rand.Rand, cc string, ct *city, mobile bool) phone {
	area := pick(r, ct.areas)
	subPrefix := ""
	if i := strings.IndexByte(area, ' '); i >= 0 {
		area, subPrefix = area[:i], area[i+1:]
	}
	p := phone{cc: cc, area: area, mobile: mobile}
	switch cc {
	case "FR":
		second := map[string]string{"1": "0123456789", "2": "01234578", "3": "0123456789",
			"4": "123456789", "5": "012345678"}[area]
		p.sub = digitsFrom(r, second, 8)
	case "US":
		for {
			ex := digitsFrom(r, "23456789", 3)
			if ex[1:] != "11" && ex != "555" && ex != "950" && ex != "958" && ex != "959" {
				p.sub = ex + digitsFrom(r, "0123456789", 4)
				break
			}
		}
	case "GB":
		// subPrefix is literal ("7" for 020 7…) or a set of allowed first digits ("[2345]").
		first := "23456789"
		if strings.HasPrefix(subPrefix, "[") {
			first, subPrefix = strings.Trim(subPrefix, "[]"), ""
		}
		n := 10 - len(area) - len(subPrefix)
		if subPrefix == "" {
			subPrefix, n = string(first[r.IntN(len(first))]), n-1
		}
		p.sub = subPrefix + digitsFrom(r, "0123456789", n)
	case "DE":
		p.sub = digitsFrom(r, "23456789", 10-len(area))
	}
	return p
}

// Phone formats.
const (
	fmtNational  = iota // 06 12 34 56 78, (212) 555-0199, 020 7946 0123, 030 12345678
	fmtIntl             // +33 6 12 34 56 78
	fmtE164             // +33612345678
	fmtCompact          // 0612345678
	fmtDots             // 06.12.34.56.78
	fmtDashes           // 06-12-34-56-78
	fmt00               // 0033612345678
	fmtIntlTrunk        // +33 (0)6 12 34 56 78
	fmtCount
)

// format writes p in the style.
func (p phone) format(style int) string {
	code := callingCodes[p.cc]
	national := p.grouped(" ")
	switch style {
	case fmtIntl:
		if p.cc == "US" {
			return "+1 " + p.grouped("-")
		}
		return "+" + code + " " + national
	case fmtE164:
		return "+" + code + p.nsn()
	case fmtCompact:
		return p.trunk() + p.nsn()
	case fmtDots:
		return p.trunk() + p.grouped(".")
	case fmtDashes:
		if p.cc == "US" {
			return "1-" + p.grouped("-")
		}
		return p.trunk() + p.grouped("-")
	case fmt00:
		if p.cc == "US" {
			return "001" + p.nsn()
		}
		return "00" + code + p.nsn()
	case fmtIntlTrunk:
		if p.cc == "US" {
			return "+1 (" + p.area + ") " + p.sub[:3] + "-" + p.sub[3:]
		}
		return "+" + code + " (0)" + national
	}
	if p.cc == "US" {
		return "(" + p.area + ") " + p.sub[:3] + "-" + p.sub[3:]
	}
	if p.cc == "DE" && len(p.area) <= 4 && !p.mobile && style == fmtNational {
		return "0" + p.area + " " + p.sub
	}
	return "0" + national
}

func (p phone) trunk() string {
	if p.cc == "US" {
		return ""
	}
	return "0"
}

// grouped returns the national significant number grouped the country's way, without
// trunk prefix: "6 12 34 56 78", "212-555-0199", "20 7946 0123", "30 12345678".
func (p phone) grouped(sep string) string {
	n := p.nsn()
	switch p.cc {
	case "FR":
		return n[:1] + sep + n[1:3] + sep + n[3:5] + sep + n[5:7] + sep + n[7:9]
	case "US":
		return n[:3] + sep + n[3:6] + sep + n[6:]
	case "GB":
		s := p.sub
		if len(s) == 8 {
			return p.area + sep + s[:4] + sep + s[4:]
		}
		if len(s) == 7 {
			return p.area + sep + s[:3] + sep + s[3:]
		}
		return p.area + sep + s
	}
	return p.area + sep + p.sub
}

// defaultFormat is how a clean record of the country writes its numbers.
func defaultFormat(r *rand.Rand) int {
	return []int{fmtNational, fmtNational, fmtNational, fmtIntl, fmtE164}[r.IntN(5)]
}

var (
	phoneNoisePrefix = []string{"tel: ", "Tel. ", "Tél : ", "mob: ", "Mobile: ", "T: ", "Phone: ", "Handy: ", "portable "}
	phoneNoiseSuffix = []string{" ext. 12", " x204", " poste 31", " (bureau)", " (mobile)", " ext 5", " - Durchwahl 17", " (home)"}
)

// withDigitTypo returns p with one subscriber digit changed (a wrong number).
func (p phone) withDigitTypo(r *rand.Rand) phone {
	b := []byte(p.sub)
	i := 1 + r.IntN(len(b)-1)
	b[i] = byte('0' + (int(b[i]-'0')+1+r.IntN(9))%10)
	p.sub = string(b)
	return p
}
