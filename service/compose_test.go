package service

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeFile checks docker-compose.yml (no Docker engine runs here): it parses, and
// its steward service is wired to the Kafka and PostgreSQL services it declares.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     any               `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]any    `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kafka", "postgres", "steward", "topics"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("service %s missing", name)
		}
	}
	st := c.Services["steward"]
	if st.Build == nil || !IsPostgres(st.Environment["STEWARD_DATABASE"]) || !strings.HasPrefix(st.Environment["STEWARD_KAFKA_BROKERS"], "kafka:") {
		t.Errorf("steward service: %+v", st)
	}
	if _, ok := st.DependsOn["postgres"]; !ok {
		t.Error("steward does not wait for postgres")
	}
	df, err := os.ReadFile("../Dockerfile")
	if err != nil || !strings.Contains(string(df), "USER nonroot") || !strings.Contains(string(df), "CGO_ENABLED=0") {
		t.Errorf("Dockerfile must build statically and run as non-root: %v", err)
	}
}
