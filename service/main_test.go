package service

import (
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
)

// TestMain stops the ephemeral PostgreSQL cluster (started on first use) after the tests.
func TestMain(m *testing.M) { pgtest.RunMain(m) }
