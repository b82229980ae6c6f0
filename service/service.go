package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/postgres"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// Config is steward's configuration. The zero value is the embedded default: ./steward.db,
// the embedded rules.
type Config struct {
	// Database is a SQLite file path, or a postgres:// URL. Default "steward.db".
	Database string `yaml:"database"`
	// RulesDir is a rules directory laid out as rules/default. Default: the embedded rules.
	RulesDir string `yaml:"rules"`
	// Kafka configures the scale-out mode (steward run, steward produce).
	Kafka KafkaConfig `yaml:"kafka"`
	// HTTP configures the HTTP server of steward run (/metrics, /healthz, /readyz).
	HTTP HTTPConfig `yaml:"http"`
	// Logger receives operational logs (never whole records). Default: discard.
	Logger *slog.Logger `yaml:"-"`
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Database == "" {
		errs = append(errs, errors.New("database: empty"))
	}
	errs = append(errs, c.Kafka.validate()...)
	return errors.Join(errs...)
}

// IsPostgres reports whether a database setting is a PostgreSQL URL.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// DefaultDatabase is the warehouse when none is configured: a SQLite file in the working
// directory.
const DefaultDatabase = "steward.db"

func (c *Config) setDefaults() {
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Kafka.setDefaults()
	if c.HTTP.Addr == "" {
		c.HTTP.Addr = ":8080"
	}
}

// Service is an opened steward: rules, warehouse and the pieces built from them.
type Service struct {
	Config   Config
	Rules    *rules.Rules
	Store    warehouse.Store
	Engine   *match.Engine
	Resolver *resolve.Resolver
	// NormalizeChain and IdentifyChain are the stages of the two handlers.
	NormalizeChain pipeline.Chain
	IdentifyChain  pipeline.Chain
}

// LoadRules loads the rules of cfg (embedded default when RulesDir is empty).
func LoadRules(dir string) (*rules.Rules, error) {
	if dir == "" {
		return rules.Default(), nil
	}
	return rules.LoadDir(dir)
}

// Open loads the rules, opens (and migrates) the warehouse and builds the pipeline.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s, err := Build(cfg)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	s.Store = store
	s.Resolver.Store = store
	// The Identify chain gets the warehouse's company registry (stage company.attach).
	if reg, ok := store.(warehouse.Registry); ok {
		if s.NormalizeChain, s.IdentifyChain, err = stages.Chains(s.Rules, stages.Deps{Directory: registry.Directory(reg)}); err != nil {
			store.Close()
			return nil, fmt.Errorf("rules %s: %w", s.Rules.Dir, err)
		}
	}
	return s, nil
}

// Build loads the rules and builds the pipeline without opening a warehouse (for
// commands that work on files only).
func Build(cfg Config) (*Service, error) {
	cfg.setDefaults()
	// Validated here too: normalize, produce and the batch commands build a service
	// without opening a warehouse, and a bad setting (kafka.stages: bogus,
	// kafka.partitions: -3) must not pass there either.
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r, err := LoadRules(cfg.RulesDir)
	if err != nil {
		return nil, err
	}
	nc, ic, err := stages.Chains(r)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", r.Dir, err)
	}
	eng, err := match.New(r)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", r.Dir, err)
	}
	// A spelling two canonical values of a table claim reads as the first in sorted
	// order, whatever the run; it is most often a slip in the table (YAML reads
	// "co., inc." as two spellings).
	for _, a := range r.Tables.Ambiguities() {
		cfg.Logger.Warn("rules: a table spelling is claimed twice; the first value is kept", "rules", r.Dir, "table", a)
	}
	return &Service{
		Config: cfg, Rules: r, Engine: eng,
		Resolver:       &resolve.Resolver{Engine: eng},
		NormalizeChain: nc, IdentifyChain: ic,
	}, nil
}

// openStore opens a PostgreSQL warehouse for a postgres:// URL, else a SQLite file.
func openStore(ctx context.Context, database string) (warehouse.Store, error) {
	if IsPostgres(database) {
		return postgres.Open(ctx, database)
	}
	return sqlite.Open(ctx, database)
}

// Close closes the warehouse.
func (s *Service) Close() error {
	if s.Store == nil {
		return nil
	}
	return s.Store.Close()
}

// watermillLogger maps Watermill's chatty info logs to debug: normal operation logs
// nothing.
func (s *Service) watermillLogger() watermill.LoggerAdapter {
	l := s.Config.Logger
	if l == nil {
		l = slog.Default() // as Watermill's adapter does
	}
	return gatedLogger{watermill.NewSlogLoggerWithLevelMapping(l, watermillLevels), l}
}

// watermillLevels maps Watermill's levels to the handler's (the others stay as they are).
var watermillLevels = map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}

// gatedLogger drops Watermill's info, debug and trace logs before their fields are
// turned into attributes when the handler would discard them: Watermill's adapter builds
// them first (its router logs a few per message, ~1 % of a Kafka stream's CPU). It
// reports TraceEnabled to pubsub/kafkago, which then formats no kafka-go progress line.
type gatedLogger struct {
	watermill.LoggerAdapter
	l *slog.Logger
}

// enabled reports whether the handler keeps Watermill's logs of level.
func (g gatedLogger) enabled(level slog.Level) bool {
	if to, ok := watermillLevels[level]; ok {
		level = to
	}
	return g.l.Enabled(context.Background(), level)
}

// TraceEnabled reports whether trace logs are kept.
func (g gatedLogger) TraceEnabled() bool { return g.enabled(watermill.LevelTrace) }

func (g gatedLogger) Info(msg string, fields watermill.LogFields) {
	if g.enabled(slog.LevelInfo) {
		g.LoggerAdapter.Info(msg, fields)
	}
}

func (g gatedLogger) Debug(msg string, fields watermill.LogFields) {
	if g.enabled(slog.LevelDebug) {
		g.LoggerAdapter.Debug(msg, fields)
	}
}

func (g gatedLogger) Trace(msg string, fields watermill.LogFields) {
	if g.TraceEnabled() {
		g.LoggerAdapter.Trace(msg, fields)
	}
}

func (g gatedLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return gatedLogger{g.LoggerAdapter.With(fields), g.l}
}
