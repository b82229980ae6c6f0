package main

import (
	"strings"
	"testing"
)

// TestGenErrorsNameFlags: gen's invalid settings are reported by the flags the user
// typed; they named synth.Config's Go fields ("synth: DupRate must be in 0..0.9").
func TestGenErrorsNameFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-dup-rate", "0.95"}, "-dup-rate must be in 0..0.9, got 0.95"},
		{[]string{"-dup-rate", "0.9", "-max-per-entity", "5"}, "-dup-rate 0.9 needs entities of more than -max-per-entity=5 records"},
		{[]string{"-max-per-entity", "101"}, "-max-per-entity must be in 1..100, got 101"},
		{[]string{"-corruption", "1.5"}, "-corruption must be in 0..1, got 1.5"},
		{[]string{"-company-rate", "2"}, "-company-rate must be in 0..1, got 2"},
		{[]string{"-countries", "FR,IT"}, `-countries: unknown country "IT"`},
		{[]string{"-sources", "a,a"}, `-sources: source "a" listed twice`},
	} {
		code, _, errs := steward(t, "", append([]string{"gen", "-n", "5"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("gen %v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
		for _, field := range []string{"DupRate", "MaxPerEntity", "Corruption", "CompanyRate", "Countries", "Sources"} {
			if strings.Contains(errs, field) {
				t.Errorf("gen %v: stderr %q names the Go field %s", c.args, errs, field)
			}
		}
	}
}

// TestGenFlagsDefined: the names genFlags gives synth's errors are gen's flags.
func TestGenFlagsDefined(t *testing.T) {
	_, _, usage := steward(t, "", "gen", "-h")
	for field, flag := range genFlags {
		if !strings.Contains(usage, "  "+flag+" ") {
			t.Errorf("genFlags names %s %s, which gen -h does not list", field, flag)
		}
	}
}
