package player

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gridcast/gridcast/media"
)

//go:embed index.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageData fills index.html.
type pageData struct {
	Channel string
	Format  string // as in /stats; "" while unknown, the page's script then asks /stats
}

func (s *Server) newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /stats", s.serveStats)
	mux.HandleFunc("GET /stream", s.serveStream)
	for _, ext := range []string{"ts", "webm", "mp4"} {
		mux.HandleFunc("GET /stream."+ext, s.serveStream)
	}
	return mux
}

// Listen serves Handler on addr ("127.0.0.1:8080"; ":0" picks a port) and
// returns the address it listens on. A listen error is returned at once;
// the server then runs until Close.
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("player: listen: %w", err)
	}
	hs := &http.Server{
		Handler: s.handler,
		// No ReadTimeout or WriteTimeout: /stream responses last as long
		// as the broadcast, and a read deadline would cancel them.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return nil, fmt.Errorf("player: listen: %w", ErrClosed)
	}
	s.servers = append(s.servers, hs)
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.serveErr = errors.Join(s.serveErr, fmt.Errorf("player: serve %s: %w", ln.Addr(), err))
			s.mu.Unlock()
		}
	}()
	return ln.Addr(), nil
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	st := s.Stats()
	d := pageData{Channel: s.src.Channel().ID()}
	if st.Started {
		d.Format = st.Format.String()
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		http.Error(w, fmt.Sprintf("player: render page: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	body, err := json.Marshal(s.pageStats())
	if err != nil {
		http.Error(w, fmt.Sprintf("player: encode stats: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// serveStream answers /stream and its aliases: it waits for the format,
// then writes the player's stream until it ends, the player goes away or
// the server closes.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "player: the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()

	if !s.waitStart(w, r) {
		return
	}
	format := s.Stats().Format
	if ext, ok := strings.CutPrefix(r.URL.Path, "/stream."); ok && aliasFormat(ext) != format {
		where := "/stream"
		if e := aliasOf(format); e != "" {
			where = "/stream" + e + " or /stream"
		}
		http.Error(w, fmt.Sprintf("player: this channel's stream is %s (%s), not .%s; open %s",
			format, format.ContentType(), ext, where), http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	c, err := s.subscribe(true)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer c.Close()
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()

	// The player went away: end the client, which wakes next.
	stopReq := context.AfterFunc(r.Context(), func() { _ = c.Close() })
	defer stopReq()
	// Close: a write stuck on a player that stopped reading must fail too,
	// or Close would wait for it. A conn Listen accepted is closed anyway;
	// this covers a caller's http.Server.
	aborted := make(chan struct{})
	stopAbort := context.AfterFunc(s.ctx, func() {
		defer close(aborted)
		_ = rc.SetWriteDeadline(time.Now())
	})
	defer func() {
		if !stopAbort() {
			<-aborted
		}
	}()

	for {
		header, payload, err := c.next()
		if err != nil {
			return
		}
		for _, b := range [2][]byte{header, payload} {
			if len(b) == 0 {
				continue
			}
			n, err := w.Write(b)
			s.bytesServed.Add(uint64(n))
			if err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return
		}
	}
}

// waitStart waits for the first clean start, which tells the format; it
// answers the request itself and returns false if that does not come.
func (s *Server) waitStart(w http.ResponseWriter, r *http.Request) bool {
	t := time.NewTimer(s.cfg.startTimeout)
	defer t.Stop()
	select {
	case <-s.ready:
	case <-s.ended:
	case <-s.ctx.Done():
		http.Error(w, "player: the server is shutting down", http.StatusServiceUnavailable)
		return false
	case <-r.Context().Done():
		return false
	case <-t.C:
		http.Error(w, fmt.Sprintf("player: no clean start point (keyframe) from the channel within %v; "+
			"the broadcast may not have started, or this viewer has not joined it yet: retry shortly",
			s.cfg.startTimeout), http.StatusServiceUnavailable)
		return false
	}
	switch st := s.Stats(); {
	case st.Ended && !st.Started:
		http.Error(w, "player: the broadcast ended before any clean start point arrived", http.StatusServiceUnavailable)
		return false
	case st.Ended:
		http.Error(w, "player: the broadcast has ended", http.StatusGone)
		return false
	}
	return true
}

// aliasFormat is the format a /stream.<ext> alias promises.
func aliasFormat(ext string) media.Format {
	switch ext {
	case "ts":
		return media.FormatMPEGTS
	case "webm":
		return media.FormatWebM
	case "mp4":
		return media.FormatMP4
	}
	return media.FormatRaw
}

// aliasOf is the /stream alias suffix for f; "" for raw.
func aliasOf(f media.Format) string {
	switch f {
	case media.FormatMPEGTS:
		return ".ts"
	case media.FormatWebM:
		return ".webm"
	case media.FormatMP4:
		return ".mp4"
	}
	return ""
}
