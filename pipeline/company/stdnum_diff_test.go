package company

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// stdnumPython reads {"kind","raw"} JSON lines and writes python-stdnum's verdict on each
// (Debian's python3-stdnum, an independent implementation of the same algorithms).
const stdnumPython = `
import sys, json
from stdnum.eu import vat
from stdnum import lei
from stdnum.fr import siren, siret
mods = {"vat": vat, "lei": lei, "siren": siren, "siret": siret}
for line in sys.stdin:
    q = json.loads(line)
    try:
        mods[q["kind"]].validate(q["raw"])
        r = {"valid": True}
    except Exception as e:
        r = {"valid": False, "err": type(e).__name__}
    sys.stdout.write(json.dumps(r) + "\n")
`

type stdnumCase struct {
	Kind string `json:"kind"`
	Raw  string `json:"raw"`
}

type stdnumVerdict struct {
	Valid bool   `json:"valid"`
	Err   string `json:"err"`
}

// TestStdnumDifferential compares the validators with python-stdnum on published numbers
// and on numbers generated from them (one digit changed, two digits swapped, random
// digits in the right shape). Where the two disagree by design the case is skipped with
// the reason in stdnumDifference. Without python3-stdnum (apt-get install
// python3-stdnum) the test is skipped: the table tests carry the verified examples.
func TestStdnumDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test skipped in -short mode")
	}
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import stdnum.eu.vat").Run(); err != nil {
		t.Skip("python3-stdnum is missing (apt-get install -y python3-stdnum): " + err.Error())
	}
	cases := generateStdnumCases()
	ref := runStdnum(t, python, cases)
	validators := map[string]func(string) contact.Field{"vat": VAT, "lei": LEI, "siren": SIREN, "siret": SIRET}
	compared, valid := 0, 0
	for i, c := range cases {
		mine := validators[c.Kind](c.Raw)
		if reason := stdnumDifference(c, mine); reason != "" {
			continue
		}
		compared++
		if ref[i].Valid {
			valid++
		}
		if mine.Usable() != ref[i].Valid {
			t.Errorf("%s %q: mine %s %v, stdnum valid=%v %s", c.Kind, c.Raw, mine.Status, mine.Issues, ref[i].Valid, ref[i].Err)
		}
	}
	t.Logf("compared %d of %d numbers with python-stdnum (%d valid)", compared, len(cases), valid)
	if compared < len(cases)*3/4 {
		t.Errorf("only %d of %d cases compared", compared, len(cases))
	}
}

// stdnumDifference returns why the two implementations legitimately differ on c, or "".
func stdnumDifference(c stdnumCase, mine contact.Field) string {
	if c.Kind != "vat" {
		return ""
	}
	v := compact(c.Raw)
	if len(v) < 2 {
		return ""
	}
	cc, body := v[:2], v[2:]
	switch {
	case cc == "GB" || cc == "XI":
		return "format only here"
	case cc == "FR" && len(body) == 11 && !isDigits(body[:2]):
		return "alphanumeric French keys are not verified here"
	case cc == "BG" && len(body) == 10, cc == "CZ" && len(body) >= 9, cc == "LV" && body[0] <= '3':
		return "natural persons' numbers: format only here"
	case cc == "SK" && len(body) == 10 && !strings.ContainsRune("234789", rune(body[2])):
		return "stdnum also requires the third digit in 2,3,4,7,8,9 (or a birth number)"
	case cc == "IT" && mine.Usable():
		return "stdnum also checks the tax office code"
	case cc == "RO" && len(body) == 13:
		return "stdnum accepts a personal CNP; VIES' format is 2-10 digits"
	case cc == "BE" && len(body) == 10 && body[0] > '1':
		return "VIES' format: BE numbers start with 0 or 1; stdnum 1.18 accepts any digit"
	case cc == "BE" && strings.HasSuffix(body, "00"):
		return "check 00 is never issued (97 − n mod 97 ≥ 1); stdnum accepts it"
	case cc == "NL" && strings.Contains(body, "B") && mine.Status == contact.StatusInvalid && mine.Issues[0] == "vat.all_zero":
		return "all-zero numbers"
	}
	return ""
}

func runStdnum(t *testing.T, python string, cases []stdnumCase) []stdnumVerdict {
	t.Helper()
	var in strings.Builder
	enc := json.NewEncoder(&in)
	for _, c := range cases {
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "-c", stdnumPython)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python-stdnum: %v", err)
	}
	var res []stdnumVerdict
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var v stdnumVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		res = append(res, v)
	}
	if len(res) != len(cases) {
		t.Fatalf("python-stdnum answered %d of %d cases", len(res), len(cases))
	}
	return res
}

// generateStdnumCases returns the published seeds and, from each, variants with one
// digit changed, two adjacent characters swapped, and every digit replaced at random
// (with each possible last digit).
func generateStdnumCases() []stdnumCase {
	rng := rand.New(rand.NewPCG(17, 42))
	var cases []stdnumCase
	add := func(kind string, seeds []string) {
		for _, s := range seeds {
			cases = append(cases, stdnumCase{kind, s})
			v := []byte(compact(s))
			start := 0
			if kind == "vat" {
				start = 2
			}
			for range 6 {
				m := append([]byte(nil), v...)
				i := start + rng.IntN(len(m)-start)
				if m[i] >= '0' && m[i] <= '9' {
					m[i] = byte('0' + (int(m[i]-'0')+1+rng.IntN(9))%10)
				}
				cases = append(cases, stdnumCase{kind, string(m)})
				m = append(m[:0], v...)
				if j := start + rng.IntN(len(m)-start-1); m[j] != m[j+1] {
					m[j], m[j+1] = m[j+1], m[j]
					cases = append(cases, stdnumCase{kind, string(m)})
				}
				m = append(m[:0], v...)
				for k := start; k < len(m); k++ {
					if m[k] >= '0' && m[k] <= '9' {
						m[k] = byte('0' + rng.IntN(10))
					}
				}
				// Every last digit, so that some of the random numbers are valid.
				for d := byte('0'); d <= '9' && isDigits(string(m[len(m)-1:])); d++ {
					m[len(m)-1] = d
					cases = append(cases, stdnumCase{kind, string(m)})
				}
			}
		}
	}
	add("vat", publishedVAT)
	add("lei", publishedLEI)
	add("siren", publishedSIREN)
	add("siret", publishedSIRET)
	return cases
}
