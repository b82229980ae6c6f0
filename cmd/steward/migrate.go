package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/steward-crm/steward/service"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

func runMigrate(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	cf.register(fs)
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	svc, err := service.Open(ctx, cfg) // Open migrates.
	if err != nil {
		return err
	}
	defer svc.Close()
	fmt.Fprintf(e.stdout, "warehouse %s is at schema version %d\n", shownDatabase(svc.Config.Database), sqlstore.SchemaVersion()) // the default filled in
	return nil
}
