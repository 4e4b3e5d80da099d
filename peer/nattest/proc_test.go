package nattest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridcast/gridcast/peer"
	"github.com/stretchr/testify/require"
)

// helperEnv carries a helper's helperConfig, as JSON, to the test binary
// re-run inside a namespace.
const helperEnv = "GRIDCAST_NATTEST_HELPER"

// eventPrefix starts the stdout lines a helper reports on; the rest of
// the line is an event in JSON.
const eventPrefix = "nattest-event "

// helperConfig tells a helper process what node to be.
type helperConfig struct {
	Role      string   // roleRelay, roleBroadcaster or roleViewer
	Key       []byte   // the node's identity, crypto.MarshalPrivateKey
	Listen    []string // listen multiaddrs
	Bootstrap []string // peers dialed at start
	Relays    []string // a viewer's static relays
	Dial      string   // a peer a viewer dials once up, here a circuit address
	Channel   string   // the channel ID viewers watch
	MeshWith  string   // the peer a viewer waits to have in its mesh
	Watch     string   // the peer whose connections a viewer reports
	Forbidden string   // a peer a viewer must have no connection to
	Bytes     int      // stream length
	Rate      int64    // stream bitrate, bytes per second
}

const (
	roleRelay       = "relay"
	roleBroadcaster = "broadcaster"
	roleViewer      = "viewer"
)

// event is what a helper reports. Kinds: "up" (the node is ready),
// "relayed" (a viewer's dial through the relay went through), "mesh" (a
// viewer's mesh holds MeshWith), "done" (the broadcaster published
// everything), "played" (a viewer read the stream to its end) and "fail".
type event struct {
	Kind  string `json:"kind"`
	Error string `json:"error,omitempty"`
	// Watched is how the node is connected to the Watch peer.
	Watched peer.ConnInfo `json:"watched,omitzero"`
	// RelayedFirst: the first connection to Watch was a relayed one.
	RelayedFirst bool `json:"relayedFirst,omitempty"`
	// DirectAddrs are the remote addresses of its direct connections to
	// Watch: after a hole punch, the peer's NAT mapping.
	DirectAddrs []string `json:"directAddrs,omitempty"`
	// DirectAfter is how long after the relayed dial began the first
	// direct connection to Watch opened; 0 if none did.
	DirectAfter time.Duration `json:"directAfter,omitempty"`
	// Forbidden is how the node is connected to the Forbidden peer.
	Forbidden peer.ConnInfo `json:"forbidden,omitzero"`
	// HolePunch lists the hole punching service's trace events.
	HolePunch []string `json:"holePunch,omitempty"`
	SHA256    string   `json:"sha256,omitempty"`
	Bytes     uint64   `json:"bytes,omitempty"`
	Skipped   uint64   `json:"skipped,omitempty"`
}

// proc is a helper process running in a namespace.
type proc struct {
	t     *testing.T
	name  string
	stdin io.WriteCloser

	exited  chan struct{} // closed once Wait returned
	waitErr error         // Wait's result; read after exited closes

	// mu guards events and output, appended to by exec's copying
	// goroutines.
	mu     sync.Mutex
	events []event
	output strings.Builder
	// arrived wakes wait when an event comes in; capacity 1.
	arrived chan struct{}
}

// startHelper runs the test binary's TestNATHelper in namespace ns as the
// node cfg describes. When the test ends, it closes the helper's stdin,
// which tells it to stop, and kills it if it has not within 10 s.
func startHelper(t *testing.T, name, ns string, cfg helperConfig) *proc {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	env, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command("ip", "netns", "exec", ns, exe, "-test.run=^TestNATHelper$", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(env))
	p := &proc{t: t, name: name, exited: make(chan struct{}), arrived: make(chan struct{}, 1)}
	cmd.Stdout = &lineWriter{line: p.stdoutLine}
	cmd.Stderr = &lineWriter{line: p.log}
	p.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start(), "start %s", name)
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stdin.Close()
		killed := false
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			killed = true
			cmd.Process.Kill()
			<-p.exited
		}
		switch {
		case p.waitErr != nil || killed:
			t.Errorf("%s ended with %v (killed: %v); its output:\n%s", name, p.waitErr, killed, p.outputText())
		case t.Failed():
			t.Logf("%s output:\n%s", name, p.outputText())
		}
	})
	return p
}

func (p *proc) stdoutLine(line string) {
	p.log(line)
	raw, ok := strings.CutPrefix(line, eventPrefix)
	if !ok {
		return
	}
	var e event
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		e = event{Kind: "fail", Error: fmt.Sprintf("bad event %q: %v", raw, err)}
	}
	p.mu.Lock()
	p.events = append(p.events, e)
	p.mu.Unlock()
	select {
	case p.arrived <- struct{}{}:
	default:
	}
}

func (p *proc) log(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.output.WriteString(line)
	p.output.WriteByte('\n')
}

func (p *proc) outputText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// find returns the first event of kind, or a "fail" event.
func (p *proc) find(kind string) (event, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.events {
		if e.Kind == kind || e.Kind == "fail" {
			return e, true
		}
	}
	return event{}, false
}

// wait returns the helper's first event of kind, failing the test if the
// helper fails, exits or takes longer than timeout.
func (p *proc) wait(kind string, timeout time.Duration) event {
	p.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	found := func() (event, bool) {
		e, ok := p.find(kind)
		if ok {
			require.NotEqual(p.t, "fail", e.Kind, "%s failed waiting for %q: %s", p.name, kind, e.Error)
		}
		return e, ok
	}
	for {
		if e, ok := found(); ok {
			return e
		}
		select {
		case <-p.arrived:
		case <-p.exited:
			// exec has copied all the output by the time Wait returns.
			if e, ok := found(); ok {
				return e
			}
			require.FailNowf(p.t, "helper exited", "%s exited (%v) before %q", p.name, p.waitErr, kind)
		case <-deadline.C:
			require.FailNowf(p.t, "helper timed out", "%s: no %q within %v", p.name, kind, timeout)
		}
	}
}

// send writes a line to the helper's stdin.
func (p *proc) send(line string) {
	p.t.Helper()
	_, err := io.WriteString(p.stdin, line+"\n")
	require.NoError(p.t, err, "tell %s %q", p.name, line)
}

// lineWriter hands each complete line written to it to line. exec calls
// Write from one goroutine per writer.
type lineWriter struct {
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}
