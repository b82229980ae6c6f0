package service

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/input"
)

// TestPIIProduceRejectedRowLog: a row produce cannot read is sent to the dead-letter
// topic with its reason, which may quote the row's values (an e-mail address in the
// column mapped to updated_at, a file whose columns are shifted); the warning produce
// logs names the row by its position and the field, not the reason.
func TestPIIProduceRejectedRowLog(t *testing.T) {
	brokers := kafkaCluster(t)
	var logs bytes.Buffer
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := openService(t, cfg)
	file := filepath.Join(t.TempDir(), "crm.csv")
	csv := "source_id,given_name,family_name,email,updated_at\n" +
		"1,Ann,Oakhurst,ann.oakhurst@example.org,2024-01-01T00:00:00Z\n" +
		"2,Bertram,Quillby,+33 6 12 34 56 78,bertram.quillby@example.org\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Produce(context.Background(), []string{file}, input.Options{}, 10)
	if err != nil || sum.Rejected != 1 {
		t.Fatalf("produce: %+v, %v", sum, err)
	}
	out := logs.String()
	for _, secret := range []string{"bertram.quillby", "Quillby", "+33 6 12 34 56 78"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the row's value %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"crm.csv:3", "updated_at"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log does not name %q:\n%s", want, out)
		}
	}
}
