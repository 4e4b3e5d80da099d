package metrics

import (
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get fetches url on a fresh connection, so no pooled connection outlives
// the test or hides a closed server.
func get(t *testing.T, url string) (int, string, error) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), nil
}

func TestServe(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewViewerCollector(&fakeViewer{ch: channelForTest(t, 1, "news"), stats: viewerStatsForTest()}))
	s, err := Serve("127.0.0.1:0", reg)
	require.NoError(t, err)
	defer s.Close()
	base := "http://" + s.Addr().String()

	code, body, err := get(t, base+"/metrics")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `gridcast_chunks_received_total{channel="12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/news"} 10`)
	assert.Contains(t, body, `gridcast_latency_seconds_bucket{channel="12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/news",le="+Inf"} 4`)

	code, body, err = get(t, base+"/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `href="/metrics"`)

	code, _, err = get(t, base+"/elsewhere")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code)

	require.NoError(t, s.Close())
	assert.NoError(t, s.Close(), "Close twice")
	_, _, err = get(t, base+"/metrics")
	assert.Error(t, err, "still serving after Close")
}

func TestServeFailsAtOnce(t *testing.T) {
	s, err := Serve("127.0.0.1:0", prometheus.NewRegistry())
	require.NoError(t, err)
	defer s.Close()

	_, err = Serve(s.Addr().String(), prometheus.NewRegistry())
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "busy port")

	_, err = Serve("127.0.0.1:http-alt-but-not-a-port", prometheus.NewRegistry())
	assert.Error(t, err, "bad address")

	_, err = Serve("127.0.0.1:0", nil)
	assert.ErrorIs(t, err, ErrBadOption)
}

// doc.go is where users look a metric up: it must list every one.
func TestDocListsEveryMetric(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, f := range []family{
		famReceived, famPlayed, famSkipped, famLate, famDuplicates, famNextDropped,
		famBuffered, famStartup, famLatency, famPublished, famPubBytes,
		famRelayIn, famRelayOut, famUploadCap, famUploadRate, famMeshPeers, famViewers,
	} {
		assert.Contains(t, string(doc), "\t"+f.name+" ", f.name)
	}
}
