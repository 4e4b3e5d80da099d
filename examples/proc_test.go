package examples_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// program returns the path of an example program, building all of them
// once per test binary.
func program(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the example programs")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "gridcast-programs")
		if buildErr != nil {
			return
		}
		for _, p := range []string{"broadcaster", "viewer"} {
			out := filepath.Join(binDir, p)
			if runtime.GOOS == "windows" {
				out += ".exe"
			}
			cmd := exec.Command("go", "build", "-o", out, "./"+p)
			cmd.Stderr = os.Stderr
			if buildErr = cmd.Run(); buildErr != nil {
				return
			}
		}
	})
	require.NoError(t, buildErr, "build the programs")
	out := filepath.Join(binDir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// proc is a running program whose stderr (and stdout, unless taken) is
// kept line by line, for waiting on a line and for failure messages.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error

	mu    sync.Mutex
	lines []string
	cond  *sync.Cond
}

func start(t *testing.T, ctx context.Context, name string, args ...string) *proc {
	t.Helper()
	return startWith(t, ctx, nil, name, args...)
}

// startWith starts name with args; stdin, if not nil, is its input.
func startWith(t *testing.T, ctx context.Context, stdin io.Reader, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: filepath.Base(name), done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	p.cmd = exec.CommandContext(ctx, name, args...)
	p.cmd.Stdin = stdin
	p.cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	require.NoError(t, p.cmd.Start(), "start %s", name)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.cond.Broadcast()
			p.mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		p.err = p.cmd.Wait()
		pw.Close()
		p.mu.Lock()
		close(p.done)
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		if p.cmd.Process != nil {
			p.cmd.Process.Kill()
		}
		<-p.done
	})
	return p
}

// waitLine waits up to timeout for a line containing substr and returns
// it; it fails the test if the program ends or the time runs out first.
func (p *proc) waitLine(t *testing.T, substr string, timeout time.Duration) string {
	t.Helper()
	return p.waitMatch(t, substr, func(line string) bool { return strings.Contains(line, substr) }, timeout)
}

// waitMatch is waitLine with a predicate; what describes it in failures.
func (p *proc) waitMatch(t *testing.T, what string, match func(string) bool, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 0; ; {
		for ; i < len(p.lines); i++ {
			if match(p.lines[i]) {
				return p.lines[i]
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s ended (%v) before printing %q:\n%s", p.name, p.err, what, strings.Join(p.lines, "\n"))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s printed no %q within %v:\n%s", p.name, what, timeout, strings.Join(p.lines, "\n"))
		}
		p.cond.Wait()
	}
}

// wait waits for the program to exit and returns its error.
func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		return context.DeadlineExceeded
	}
}

// output returns everything the program printed so far.
func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// field returns the word after key in line ("" if absent).
func field(line, key string) string {
	fields := strings.Fields(line)
	for i := 0; i+1 < len(fields); i++ {
		if fields[i] == key {
			return fields[i+1]
		}
	}
	return ""
}
