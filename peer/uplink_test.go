package peer

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const uplinkTestBitrate = 300_000 / 8

// A source learns each viewer's copies on connecting, forgets them when it
// leaves, and scores the weak out of its mesh once enough strong peers are
// there.
func TestSourceLearnsViewersUplinks(t *testing.T) {
	source, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"),
		WithRelay(relay.Multiple(uplinkTestBitrate, 4), uplinkTestBitrate, relay.RoleSource))
	require.NoError(t, err)
	defer source.Close()
	viewer := func(copies float64) *Node {
		v, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, source, "/tcp/")),
			WithRelay(relay.Multiple(uplinkTestBitrate, copies), uplinkTestBitrate, relay.RoleViewer))
		require.NoError(t, err)
		t.Cleanup(func() { v.Close() })
		return v
	}
	weak, strong1, strong2 := viewer(1), viewer(6), viewer(10)
	ups := source.Monitor().Uplinks()
	announced := func(n *Node) int {
		c, ok := ups.Copies(n.ID())
		if !ok {
			return -1
		}
		return c
	}
	require.Eventually(t, func() bool { return announced(weak) >= 0 && announced(strong1) >= 0 && announced(strong2) >= 0 },
		5*time.Second, 10*time.Millisecond)
	assert.Equal(t, weak.Budget().Copies(uplinkTestBitrate), announced(weak))
	assert.Equal(t, strong1.Budget().Copies(uplinkTestBitrate), announced(strong1))
	assert.Equal(t, strong2.Budget().Copies(uplinkTestBitrate), announced(strong2))

	score := ups.SourceScore(source.Degree().D)
	require.Equal(t, 2, source.Degree().D)
	assert.Less(t, score(weak.ID()), 0.0, "two strong peers are enough for a mesh of 2: the weak one is not fed")
	assert.Zero(t, score(strong1.ID()))

	require.NoError(t, strong2.Close())
	require.Eventually(t, func() bool { return announced(strong2) < 0 }, 5*time.Second, 10*time.Millisecond, "forgotten on leaving")
	assert.Zero(t, score(weak.ID()), "with one strong peer left, the weak one is fed too")
}

// A viewer whose budget carries no whole copy asks its peers too, and
// scores the other weak ones out of its mesh; a viewer that can relay a
// copy does not ask.
func TestWeakViewerLearnsPeersUplinks(t *testing.T) {
	node := func(copies float64, bootstrap ...*Node) *Node {
		return loopbackNode(t, []Option{WithRelay(relay.Multiple(uplinkTestBitrate, copies), uplinkTestBitrate, relay.RoleViewer)}, bootstrap...)
	}
	weak := node(0.9)
	require.Zero(t, weak.Budget().Copies(uplinkTestBitrate))
	otherWeak, strong1, strong2 := node(0.9, weak), node(3, weak), node(10, weak)
	ups := weak.Monitor().Uplinks()
	require.Eventually(t, func() bool {
		for _, n := range []*Node{otherWeak, strong1, strong2} {
			if _, ok := ups.Copies(n.ID()); !ok {
				return false
			}
		}
		return true
	}, 5*time.Second, 10*time.Millisecond)

	score := ups.WeakViewerScore(weak.Degree().D)
	require.LessOrEqual(t, weak.Degree().D, 2)
	assert.Less(t, score(otherWeak.ID()), 0.0)
	assert.Zero(t, score(strong1.ID()))
	assert.Zero(t, score(strong2.ID()))

	_, asked := strong1.Monitor().Uplinks().Copies(weak.ID())
	assert.False(t, asked, "a viewer that can feed others keeps to pubsub's choice")
}

// Close does not wait out a question its peer never answers.
func TestCloseDuringUnansweredUplinkQuestion(t *testing.T) {
	silent := loopbackNode(t, []Option{WithRelay(relay.Multiple(uplinkTestBitrate, 3), uplinkTestBitrate, relay.RoleViewer)})
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	silent.Host().SetStreamHandler(UplinkProtocol, func(s network.Stream) {
		asked <- struct{}{}
		<-release
		s.Reset()
	})
	weak, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, silent, "/tcp/")),
		WithRelay(relay.Multiple(uplinkTestBitrate, 0.9), uplinkTestBitrate, relay.RoleViewer))
	require.NoError(t, err)
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("the weak viewer never asked")
	}
	start := time.Now()
	require.NoError(t, weak.Close())
	assert.Less(t, time.Since(start), uplinkTimeout/2, "Close waited for the answer")
}

func TestUplinkExchangeOff(t *testing.T) {
	source, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithUplinkExchange(false),
		WithRelay(relay.Multiple(uplinkTestBitrate, 4), uplinkTestBitrate, relay.RoleSource))
	require.NoError(t, err)
	defer source.Close()
	v, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, source, "/tcp/")))
	require.NoError(t, err)
	defer v.Close()
	time.Sleep(300 * time.Millisecond)
	_, ok := source.Monitor().Uplinks().Copies(v.ID())
	assert.False(t, ok, "a source with the exchange off asks nobody")
	_, err = v.Host().NewStream(t.Context(), source.ID(), UplinkProtocol)
	assert.Error(t, err, "and answers nobody")
}

// A peer whose answer is not one varint is left unknown, and the source
// does not fail.
func TestBadUplinkAnnouncement(t *testing.T) {
	source, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"),
		WithRelay(relay.Multiple(uplinkTestBitrate, 4), uplinkTestBitrate, relay.RoleSource))
	require.NoError(t, err)
	defer source.Close()
	liar, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithUplinkExchange(false))
	require.NoError(t, err)
	defer liar.Close()
	liar.Host().SetStreamHandler(UplinkProtocol, func(s network.Stream) {
		s.Write(binary.AppendUvarint(make([]byte, 0, 16), 3))
		s.Write([]byte("trailing"))
		s.Close()
	})
	require.NoError(t, liar.Connect(t.Context(), source.Host().Peerstore().PeerInfo(source.ID())))
	_, err = source.askUplink(liar.ID())
	assert.ErrorIs(t, err, ErrBadAnnouncement)
	_, ok := source.Monitor().Uplinks().Copies(liar.ID())
	assert.False(t, ok)
}
