package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server timeouts. A scrape is one small request; anything slower is a
// stuck or hostile client and must not hold a goroutine on a viewer's PC.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	// writeTimeout leaves room for gathering, which reads every node's
	// stats under their locks.
	writeTimeout = 30 * time.Second
	idleTimeout  = 60 * time.Second
	// shutdownTimeout bounds how long Close lets a scrape in flight finish.
	shutdownTimeout = 5 * time.Second
)

// ServeOption configures [Serve].
type ServeOption func(*serveConfig) error

type serveConfig struct {
	handler promhttp.HandlerOpts
}

// WithHandlerOpts sets promhttp's handler options. The default,
// promhttp.ContinueOnError, serves every metric that could be gathered when
// one collector fails, so one bad collector does not blank a dashboard.
func WithHandlerOpts(opts promhttp.HandlerOpts) ServeOption {
	return func(c *serveConfig) error {
		c.handler = opts
		return nil
	}
}

// Server serves a registry over HTTP for Prometheus to scrape.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{} // closed when the serving goroutine returns
	// serveErr is written by the serving goroutine before done closes.
	serveErr error

	closeOnce sync.Once
	closeErr  error
}

// Serve listens on addr (host:port; port 0 picks a free one) and serves g
// at /metrics, with a page at / that links to it. It returns the listen
// error at once, so a busy or bad address fails here, not in the
// background. Close stops it.
func Serve(addr string, g prometheus.Gatherer, opts ...ServeOption) (*Server, error) {
	cfg := serveConfig{handler: promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if g == nil {
		return nil, fmt.Errorf("%w: nil gatherer", ErrBadOption)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, cfg.handler))
	mux.HandleFunc("GET /{$}", index)
	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
		},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = fmt.Errorf("metrics: serve: %w", err)
		}
	}()
	return s, nil
}

const indexPage = `<!doctype html>
<title>gridcast metrics</title>
<p><a href="/metrics">/metrics</a></p>
`

func index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, indexPage)
}

// Addr returns the address the server listens on, with the port it got.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops listening, lets a scrape in flight finish for up to a few
// seconds before cutting it off, and waits for the serving goroutine. It
// returns the error that stopped serving before Close, if any; it is safe
// to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			s.srv.Close() // the grace ran out; the scrape is not worth an error
		}
		<-s.done
		s.closeErr = s.serveErr
	})
	return s.closeErr
}
