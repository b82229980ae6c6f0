package normalize

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// dfaPatterns are the compiler's test patterns: real metadata patterns (alternation,
// classes, counted and optional repetition, nested groups) and corner cases.
var dfaPatterns = []string{
	`[1-9]\d{8}`,
	`0|180020`,
	`(183[12])|0`,
	`[2-9]\d{9}|3\d{6}`,
	`(?:1|[368]\d|4[0-8])\d{3,13}`,
	`1(?:[0-79]\d{7}(?:\d(?:\d{2})?)?|8[0-24-9]\d{7})|[2-478]\d{8}|1\d{4,7}`,
	`3(?:[0-8]\d{7,10}|9\d{7,8})`,
	`8\d{5}(?:\d{2,4})?`,
	`0(1\d)?`,
	`00(?:30|5[09]|[126-9]?)`,
	`(?:12)+3?`,
	`[^3-7]\d?`,
	`\d*`,
	`x|1`,
	`a{2}|\D`,
	`.{2}`,
	``,
	`(?:)`,
	`4{2,}5{0,2}`,
}

// dfaSamples returns digit strings to try a pattern on: every string of up to 4 digits,
// then random strings of up to 16 digits, half of them made of the digits the pattern
// names so that long matches occur.
func dfaSamples(rng *rand.Rand, pattern string) []string {
	out := []string{""}
	for l, prev := 1, []string{""}; l <= 4; l++ {
		var next []string
		for _, p := range prev {
			for d := '0'; d <= '9'; d++ {
				next = append(next, p+string(d))
			}
		}
		out, prev = append(out, next...), next
	}
	alphabet := "0123456789"
	if ds := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, pattern); ds != "" {
		alphabet = ds
	}
	for i := 0; i < 20000; i++ {
		a := "0123456789"
		if i%2 == 0 {
			a = alphabet
		}
		b := make([]byte, 5+rng.IntN(12))
		for j := range b {
			b[j] = a[rng.IntN(len(a))]
		}
		out = append(out, string(b))
	}
	return out
}

// TestDigitDFA checks the compiler against Go's regexp on every test pattern, alone (full
// match and prefixes) and all together (the match bits).
func TestDigitDFA(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	all, err := compileDigitDFA(dfaPatterns...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range dfaPatterns {
		d, err := compileDigitDFA(p)
		if err != nil {
			t.Fatalf("compileDigitDFA(%q): %v", p, err)
		}
		full := regexp.MustCompile("^(?:" + p + ")$")
		prefix := regexp.MustCompile("^(?:" + p + ")")
		matched := 0
		for _, s := range dfaSamples(rng, p) {
			want := full.MatchString(s)
			if want {
				matched++
			}
			if got := d.match([]byte(s)) != 0; got != want {
				t.Errorf("%q on %q: match %v, regexp %v", p, s, got, want)
			}
			if got := all.match([]byte(s))&(1<<i) != 0; got != want {
				t.Errorf("%q on %q: match bit %v in the joint automaton, regexp %v", p, s, got, want)
			}
			count, end := d.prefixes([]byte(s))
			loc := prefix.FindStringIndex(s)
			if (count > 0) != (loc != nil) || count == 1 && loc[1] != end {
				t.Errorf("%q on %q: %d prefixes ending at %d, regexp %v", p, s, count, end, loc)
			}
		}
		if p != "x|1" && p != "a{2}|\\D" && matched == 0 {
			t.Errorf("%q: no sample matched, the test proves nothing", p)
		}
	}
}

func TestDigitDFAErrors(t *testing.T) {
	cases := []struct {
		pattern string
		err     error
	}{
		{`^1`, errDFAUnsupported},
		{`1$`, errDFAUnsupported},
		{`\b1`, errDFAUnsupported},
		{`(?m)1$`, errDFAUnsupported},
		{`(1`, errDFASyntax},
		{`[01]*1[01]{20}`, errDFATooLarge},
		{strings.Repeat(`\d{1000}`, 70), errDFATooLarge},
	}
	for _, c := range cases {
		if _, err := compileDigitDFA(c.pattern); !errors.Is(err, c.err) {
			t.Errorf("compileDigitDFA(%.40q) error %v, want %v", c.pattern, err, c.err)
		}
	}
	if _, err := compileDigitDFA(make([]string, 33)...); !errors.Is(err, errDFAPatterns) {
		t.Errorf("33 patterns: error %v, want %v", err, errDFAPatterns)
	}
}

// TestFastRegionsCompile checks that every region compiles and that the regions the
// pipeline meets most have the whole fast path.
func TestFastRegionsCompile(t *testing.T) {
	states, noNational := 0, 0
	for code := range phonenumbers.GetSupportedRegions() {
		r := fastRegionFor(code)
		if r == nil {
			t.Errorf("%s: no fast path", code)
			continue
		}
		states += r.descs.states()
		if !r.nationalOK {
			noNational++
		}
	}
	t.Logf("%d regions, %d automaton states, %d regions parsed by phonenumbers only (national prefix rule)",
		len(phonenumbers.GetSupportedRegions()), states, noNational)
	for _, code := range []string{"FR", "US", "GB", "DE", "BE", "CH", "ES", "IT", "NL", "PT", "IN", "AU", "CA"} {
		if r := fastRegionFor(code); r == nil || !r.nationalOK || r.idd == nil {
			t.Errorf("%s: no full fast path", code)
		}
	}
	if fastRegionFor("ZZ") != nil || fastRegionFor("") != nil || fastRegionFor("001") != nil {
		t.Error("fast path for a region phonenumbers does not support")
	}
}

// TestFastRegionConcurrent compiles regions from many goroutines at once (run with -race).
func TestFastRegionConcurrent(t *testing.T) {
	codes := []string{"SE", "NO", "DK", "FI", "PL", "AT", "IE", "GR", "TR", "MA"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := range codes {
				code := codes[(i+g)%len(codes)]
				if fastRegionFor(code) == nil {
					t.Errorf("%s: no fast path", code)
				}
				fastPhone("+"+fmt.Sprint(phonenumbers.GetCountryCodeForRegion(code))+"123456789", code)
			}
		})
	}
	wg.Wait()
}

// referencePhone is what fastPhone must answer, computed by phonenumbers alone.
func referencePhone(in, region string) (phoneInfo, error) {
	pn, err := phonenumbers.Parse(in, region)
	if err != nil {
		return phoneInfo{}, err
	}
	return phoneInfo{
		e164:     phonenumbers.Format(pn, phonenumbers.E164),
		nsn:      phonenumbers.GetNationalSignificantNumber(pn),
		typ:      phonenumbers.GetNumberType(pn),
		region:   phonenumbers.GetRegionCodeForNumber(pn),
		possible: phonenumbers.IsPossibleNumberWithReason(pn),
		ext:      pn.GetExtension(),
	}, nil
}

// phoneInput is what phoneOne hands to phonenumbers.Parse for one number of a field.
func phoneInput(p string) string {
	num, _ := splitExtension(clean(p))
	return internationalPrefix(num)
}

// fastTally counts how often the fast path answered.
type fastTally struct{ inputs, answered, valid, validAnswered int }

func (c fastTally) String() string {
	return fmt.Sprintf("answered %d/%d = %.1f%% (valid numbers: %d/%d = %.1f%%)", c.answered, c.inputs,
		100*float64(c.answered)/float64(max(c.inputs, 1)), c.validAnswered, c.valid,
		100*float64(c.validAnswered)/float64(max(c.valid, 1)))
}

// phoneDiff compares both paths on one raw field: fastPhone against phonenumbers on
// every number of it, and phoneOne's results with and without the fast path. It returns
// an error describing the first difference.
func phoneDiff(fast, slow *Normalizer, raw, region string, tally *fastTally) error {
	region = fast.phoneRegion(region)
	for _, p := range splitPhones(raw) {
		in := phoneInput(p)
		got, ok := fastPhone(in, region)
		want, err := referencePhone(in, region)
		tally.inputs++
		isValid := err == nil && want.typ != phonenumbers.UNKNOWN
		if isValid {
			tally.valid++
		}
		if ok {
			tally.answered++
			if isValid {
				tally.validAnswered++
			}
			switch {
			case err != nil:
				return fmt.Errorf("fastPhone(%q, %s) = %+v; phonenumbers: %v", in, region, got, err)
			case got != want:
				return fmt.Errorf("fastPhone(%q, %s) = %+v; phonenumbers %+v", in, region, got, want)
			}
		}
		g1, e1 := fast.phoneOne(p, region)
		g2, e2 := slow.phoneOne(p, region)
		if e1 != e2 || !reflect.DeepEqual(g1, g2) {
			return fmt.Errorf("phoneOne(%q, %s) = %+v %q with the fast path, %+v %q without", p, region, g1, e1, g2, e2)
		}
	}
	return nil
}

// sweepRegions are the regions of the random sweep: the eight of the differential test
// and others with other numbering plans. BR, JP and AR have national prefix rules the
// fast path leaves to phonenumbers; HK, SC and BY have international or national
// prefixes that can end at two places (the fast path gives up on those numbers), KR, CO
// and BO national prefixes with carrier codes.
var sweepRegions = []string{"FR", "US", "GB", "DE", "BE", "CH", "ES", "IT", "NL", "PT", "IN", "BR", "JP", "AU", "CA",
	"AT", "PL", "SE", "CN", "RU", "MX", "ZA", "AR", "SG", "MA", "HK", "SC", "BY", "KR", "CO", "BO", "LT", "NZ"}

// sweepPhones makes perRegion inputs for each sweep region: random digit strings of 6 to
// 15 digits with and without '+', with the region's prefixes (national, international,
// country code), and example numbers of every type with their last digits changed,
// written with separators; some read in another region.
func sweepPhones(perRegion int) []phoneCase {
	rng := rand.New(rand.NewPCG(2026, 12))
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.UAN,
		phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.VOICEMAIL}
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	seps := []string{"", " ", ".", "-", "/", " (", ") "}
	spread := func(s string) string {
		var b strings.Builder
		for i := range len(s) {
			if i > 0 && rng.IntN(3) == 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteByte(s[i])
		}
		return b.String()
	}
	var out []phoneCase
	for _, region := range sweepRegions {
		cc := fmt.Sprint(phonenumbers.GetCountryCodeForRegion(region))
		var examples []string
		for _, typ := range types {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				examples = append(examples, phonenumbers.GetNationalSignificantNumber(ex))
			}
		}
		for i := 0; i < perRegion; i++ {
			readIn := region
			if rng.IntN(10) == 0 {
				readIn = sweepRegions[rng.IntN(len(sweepRegions))]
			}
			var s string
			switch k := rng.IntN(10); k {
			case 0:
				s = digits(6 + rng.IntN(10))
			case 1:
				s = "+" + digits(6+rng.IntN(10))
			case 2:
				s = "0" + digits(5+rng.IntN(10))
			case 3:
				s = cc + digits(5+rng.IntN(10))
			case 4:
				s = "+" + cc + digits(5+rng.IntN(10))
			case 5:
				idd := "00"
				if region == "US" || region == "CA" {
					idd = "011"
				}
				s = idd + cc + digits(5+rng.IntN(10))
			default:
				nsn := []byte(examples[rng.IntN(len(examples))])
				for j := 1 + rng.IntN(min(6, len(nsn)-1)); j > 0; j-- {
					nsn[len(nsn)-j] = byte('0' + rng.IntN(10))
				}
				switch rng.IntN(10) {
				case 0:
					nsn = nsn[:len(nsn)-1]
				case 1:
					nsn = append(nsn, byte('0'+rng.IntN(10)))
				}
				switch rng.IntN(4) {
				case 0:
					s = "+" + cc + string(nsn)
				case 1:
					s = "+" + cc + " (0)" + string(nsn)
				case 2:
					s = "0" + string(nsn)
				default:
					s = string(nsn)
				}
			}
			out = append(out, phoneCase{Raw: spread(s), Region: readIn})
		}
	}
	return out
}

// TestPhoneFastDifferential holds the fast path to phonenumbers' answers (E.164, national
// number, type, region, possibility) on the differential test's numbers and on a random
// sweep, and phoneOne to the same result with and without it. It logs how often the
// fast path answered.
func TestPhoneFastDifferential(t *testing.T) {
	fast, slow := newTest(t), newTest(t)
	slow.noFastPhone = true
	var errs []error
	check := func(cases []phoneCase, tallies map[string]*fastTally) {
		for _, c := range cases {
			tally := tallies[c.Region]
			if tally == nil {
				tally = &fastTally{}
				tallies[c.Region] = tally
			}
			if err := phoneDiff(fast, slow, c.Raw, c.Region, tally); err != nil {
				errs = append(errs, err)
			}
		}
	}
	report := func(name string, tallies map[string]*fastTally, regions []string) fastTally {
		var total fastTally
		var per []string
		for _, r := range regions {
			if c := tallies[r]; c != nil {
				total.inputs, total.answered = total.inputs+c.inputs, total.answered+c.answered
				total.valid, total.validAnswered = total.valid+c.valid, total.validAnswered+c.validAnswered
				per = append(per, fmt.Sprintf("%s %.0f%%/%.0f%%", r, 100*float64(c.answered)/float64(max(c.inputs, 1)),
					100*float64(c.validAnswered)/float64(max(c.valid, 1))))
			}
		}
		t.Logf("%s: fast path %v", name, total)
		t.Logf("%s per region (all/valid): %s", name, strings.Join(per, ", "))
		return total
	}

	gen := generatePhones(1300)
	genTallies := map[string]*fastTally{}
	check(gen, genTallies)
	main := report("differential generator", genTallies, []string{"FR", "US", "GB", "DE", "BE", "CH", "ES", "IT"})

	sweepTallies := map[string]*fastTally{}
	check(sweepPhones(2000), sweepTallies)
	report("random sweep", sweepTallies, sweepRegions)

	for i, err := range errs {
		if i == 20 {
			t.Errorf("... and %d more", len(errs)-20)
			break
		}
		t.Error(err)
	}
	if len(gen) < 10000 {
		t.Errorf("only %d generated numbers", len(gen))
	}
	if main.validAnswered*10 < main.valid*9 {
		t.Errorf("fast path answered %d of %d valid numbers of the 8 main regions, want 90%%", main.validAnswered, main.valid)
	}
}

func FuzzPhoneFast(f *testing.F) {
	for _, s := range []string{"01 42 68 53 00", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "(202) 555-0123", "1 202 555 0123",
		"011 44 20 7946 0958", "07400 123456", "0151 23456789", "+39 06 1234 5678", "+39 312 345 6789", "180020 1234567",
		"+1 268 464 1234", "+44 1624 756789", "Tel: 044 668 18 00", "+7 912 345 67 89", "+800 1234 5678", "000", "+0 12",
		"+999 123456", "0 800 123 456", "+61 1831 2345678", "33 1 42 68 53 00", "0000000000"} {
		for _, region := range []string{"FR", "US", "GB", "DE", "IT", "CH", "AU"} {
			f.Add(s, region)
		}
	}
	fast, slow := newTest(f), newTest(f)
	slow.noFastPhone = true
	f.Fuzz(func(t *testing.T, raw, region string) {
		var tally fastTally
		if err := phoneDiff(fast, slow, raw, region, &tally); err != nil {
			t.Fatal(err)
		}
	})
}
