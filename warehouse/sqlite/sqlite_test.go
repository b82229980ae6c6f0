package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
	"github.com/steward-crm/steward/warehouse/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) warehouse.Store {
			s, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Exec: func(s warehouse.Store, q string) error {
			_, err := s.(*sqlstore.Store).DB().Exec(q)
			return err
		},
	})
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}
