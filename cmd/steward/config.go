package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/steward-crm/steward/service"
	"gopkg.in/yaml.v3"
)

// configFlags are the flags every warehouse command takes. Precedence: flag, then
// STEWARD_* environment variable, then the config file, then the default.
type configFlags struct {
	config   string
	database string
	rules    string
	verbose  bool
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "config file (default: ./steward.yaml when it exists; env STEWARD_CONFIG)")
	fs.StringVar(&c.database, "db", "", "warehouse: SQLite file path or postgres:// URL (default steward.db; env STEWARD_DATABASE)")
	fs.StringVar(&c.rules, "rules", "", "rules directory (default: the embedded rules; env STEWARD_RULES)")
	fs.BoolVar(&c.verbose, "v", false, "verbose operational logs on stderr")
}

// load builds the service configuration from the file, the environment and the flags.
func (c *configFlags) load(e *env) (service.Config, error) {
	var cfg service.Config
	path := c.config
	if path == "" {
		path = e.getenv("STEWARD_CONFIG")
	}
	explicit := path != ""
	if path == "" {
		path = "steward.yaml"
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %v", path, err)
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return cfg, fmt.Errorf("config: %w", err)
	}
	pick := func(dst *string, flagVal, envName string) {
		if v := e.getenv(envName); v != "" {
			*dst = v
		}
		if flagVal != "" {
			*dst = flagVal
		}
	}
	pick(&cfg.Database, c.database, "STEWARD_DATABASE")
	pick(&cfg.RulesDir, c.rules, "STEWARD_RULES")
	cfg.Logger = newLogger(e.stderr, c.verbose)
	return cfg, nil
}
