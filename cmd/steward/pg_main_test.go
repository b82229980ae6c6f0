package main

import (
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
)

// TestMain stops the ephemeral PostgreSQL cluster a test may have started.
func TestMain(m *testing.M) { pgtest.RunMain(m) }
