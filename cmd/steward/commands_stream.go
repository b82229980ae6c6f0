package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/steward-crm/steward/service"
)

// streamCommands are the scale-out commands (run, produce).
func streamCommands() map[string]command {
	return map[string]command{
		"run":     {"scale-out mode: consume contacts.raw from Kafka into the warehouse (PostgreSQL or SQLite)", runRun},
		"produce": {"publish JSONL/CSV records to the raw Kafka topic", runProduce},
	}
}

// kafkaFlags are the flags of the Kafka commands; they override steward.yaml and the
// STEWARD_KAFKA_* variables.
type kafkaFlags struct {
	brokers, group, http string
}

func (k *kafkaFlags) register(fs *flag.FlagSet, withHTTP bool) {
	fs.StringVar(&k.brokers, "brokers", "", "Kafka brokers, comma-separated host:port (env STEWARD_KAFKA_BROKERS)")
	fs.StringVar(&k.group, "group", "", "consumer group prefix (default steward; env STEWARD_KAFKA_GROUP)")
	if withHTTP {
		fs.StringVar(&k.http, "http", "", "HTTP listen address for /metrics, /healthz, /readyz (default :8080; env STEWARD_HTTP_ADDR)")
	}
}

func (k *kafkaFlags) apply(cfg *service.Config, e *env) {
	pick := func(flagVal, envName string) string {
		if flagVal != "" {
			return flagVal
		}
		return e.getenv(envName)
	}
	if v := pick(k.brokers, "STEWARD_KAFKA_BROKERS"); v != "" {
		cfg.Kafka.Brokers = nil
		for _, b := range strings.Split(v, ",") {
			cfg.Kafka.Brokers = append(cfg.Kafka.Brokers, strings.TrimSpace(b))
		}
	}
	if v := pick(k.group, "STEWARD_KAFKA_GROUP"); v != "" {
		cfg.Kafka.Group = v
	}
	if v := pick(k.http, "STEWARD_HTTP_ADDR"); v != "" {
		cfg.HTTP.Addr = v
	}
}

func runRun(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var kf kafkaFlags
	cf.register(fs)
	kf.register(fs, true)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward run [flags]\n\nConsumes the raw topic in consumer groups and resolves records into the warehouse until SIGTERM.\nRun several processes with the same group to share the partitions.")
		fs.PrintDefaults()
	}
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	kf.apply(&cfg, e)
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()
	return svc.Run(ctx, service.RunOptions{Ready: func(addr string) {
		fmt.Fprintf(e.stderr, "steward run: consuming %s, http on %s\n", svc.Config.Kafka.Topics.Raw, addr)
	}})
}

func runProduce(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("produce", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var kf kafkaFlags
	var in inputFlags
	cf.register(fs)
	kf.register(fs, false)
	in.register(fs)
	batch := fs.Int("batch", 500, "messages per produce request")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward produce [flags] FILE... (FILE '-' or none: stdin)\n\nPublishes records to the raw topic keyed by source:source_id.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 {
		return usageError{fmt.Errorf("-batch: want a positive number, got %d", *batch)}
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	opts, cfg, err := in.load(e, &cf)
	if err != nil {
		return err
	}
	if err := checkInputs(files); err != nil {
		return err
	}
	kf.apply(&cfg, e)
	svc, err := service.Build(cfg)
	if err != nil {
		return err
	}
	sum, err := svc.Produce(ctx, files, opts, *batch)
	enc := json.NewEncoder(e.stdout)
	_ = enc.Encode(sum)
	return err
}
