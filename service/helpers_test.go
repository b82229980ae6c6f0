package service

import (
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
)

func inputOptions(t *testing.T, mapping string) input.Options {
	t.Helper()
	m, err := contact.ParseMapping(mapping)
	if err != nil {
		t.Fatal(err)
	}
	return input.Options{Mapping: m}
}
