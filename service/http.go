package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/resolve"
)

// opsServer serves /metrics, /healthz (the process is alive) and /readyz (the router
// runs, the warehouse answers and the brokers were reached lately).
type opsServer struct {
	srv   *http.Server
	ln    net.Listener
	ready atomic.Bool
}

func newOpsServer(addr string, reg *prometheus.Registry, ping func(ctx context.Context) error, broker func() error, log *slog.Logger) (*opsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	o := &opsServer{ln: ln}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		switch err := ping(ctx); {
		case !o.ready.Load():
			http.Error(w, "starting or stopping", http.StatusServiceUnavailable)
		case err != nil:
			http.Error(w, "warehouse: "+err.Error(), http.StatusServiceUnavailable)
		case broker != nil && brokerDown(broker, w):
		default:
			fmt.Fprintln(w, "ready")
		}
	})
	o.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := o.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	return o, nil
}

// Addr returns the bound address (useful with ":0").
func (o *opsServer) Addr() string { return o.ln.Addr().String() }

func (o *opsServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.srv.Shutdown(ctx)
}

// brokerDown writes a 503 when broker reports the brokers unreached.
func brokerDown(broker func() error, w http.ResponseWriter) bool {
	if err := broker(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return true
	}
	return false
}

// newMetrics returns the registry that steward run and ingest -http serve: Go's and the
// process's collectors, and steward's handler and resolve metrics on it.
func newMetrics() (*prometheus.Registry, *handlers.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, handlers.NewMetrics(reg)
}

// countBatches has m count b's batch sizes and prefetch use.
func countBatches(m *handlers.Metrics, b *resolve.Batcher) *resolve.Batcher {
	b.OnBatch = func(n int) { m.BatchSize.Observe(float64(n)) }
	b.OnPrefetch = func(reused, reread int) {
		m.Prefetched.WithLabelValues("reused").Add(float64(reused))
		m.Prefetched.WithLabelValues("reread").Add(float64(reread))
	}
	return b
}

// warehouseUp is /readyz's warehouse check: a read of the schema's tables.
func (s *Service) warehouseUp(ctx context.Context) error {
	_, err := s.Store.DeadLetters(ctx, 0)
	return err
}
