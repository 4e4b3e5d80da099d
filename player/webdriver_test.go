package player

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// webDriver is the few W3C WebDriver commands the browser test needs,
// spoken to chromedriver over HTTP.
type webDriver struct {
	base    string // chromedriver's URL
	session string
	hc      *http.Client
}

// startWebDriver runs chromedriver on a free loopback port and opens a
// headless Chromium session; both end in t.Cleanup.
func startWebDriver(t *testing.T, chromium, chromedriver string) *webDriver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	var log bytes.Buffer
	cmd := exec.Command(chromedriver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("chromedriver output:\n%s", log.String())
		}
	})

	wd := &webDriver{base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 30 * time.Second}}
	require.Eventually(t, func() bool {
		var status struct {
			Ready bool `json:"ready"`
		}
		return wd.do(http.MethodGet, "/status", nil, &status) == nil && status.Ready
	}, 10*time.Second, 50*time.Millisecond, "chromedriver did not start")

	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromium,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + t.TempDir()},
		},
	}}}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	require.NoError(t, wd.do(http.MethodPost, "/session", caps, &created))
	require.NotEmpty(t, created.SessionID)
	wd.session = created.SessionID
	t.Cleanup(func() { _ = wd.do(http.MethodDelete, "/session/"+wd.session, nil, nil) })
	return wd
}

// do sends one command and decodes the response's "value" into out.
func (wd *webDriver) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, wd.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := wd.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver %s %s: %s: %w", method, path, raw, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webdriver %s %s: %s: %s", method, path, resp.Status, env.Value)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

func (wd *webDriver) navigate(url string) error {
	return wd.do(http.MethodPost, "/session/"+wd.session+"/url", map[string]string{"url": url}, nil)
}

// execute runs script in the page (a function body; "return" gives the
// result) and decodes what it returns into out.
func (wd *webDriver) execute(script string, out any) error {
	return wd.do(http.MethodPost, "/session/"+wd.session+"/execute/sync",
		map[string]any{"script": script, "args": []any{}}, out)
}
