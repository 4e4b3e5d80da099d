package nattest_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/libp2p/go-libp2p/core/crypto"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	channelName = "nattest"
	// rate and streamTime make a 500 kbit/s stream of 10 s.
	rate       = 500_000 / 8
	streamTime = 10 * time.Second
)

// listenAddrs pin every node's ports, so that a node's addresses are
// known before it starts.
var listenAddrs = []string{
	fmt.Sprintf("/ip4/0.0.0.0/udp/%d/quic-v1", port),
	fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", port),
}

func knownBytes(n int) []byte {
	data := make([]byte, n)
	mrand.NewChaCha8([32]byte{'n', 'a', 't'}).Read(data)
	return data
}

// identity is a node's key, its peer ID and its public addresses.
type identity struct {
	key   []byte
	id    libp2ppeer.ID
	addrs []string
}

func newIdentity(t *testing.T, ip string) identity {
	t.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	require.NoError(t, err)
	key, err := crypto.MarshalPrivateKey(priv)
	require.NoError(t, err)
	id, err := libp2ppeer.IDFromPrivateKey(priv)
	require.NoError(t, err)
	var addrs []string
	for _, a := range listenAddrs {
		addrs = append(addrs, strings.Replace(a, "0.0.0.0", ip, 1)+"/p2p/"+id.String())
	}
	return identity{key: key, id: id, addrs: addrs}
}

// TestNATTraversal streams from a public broadcaster to two viewers, each
// behind its own home router's NAT, over real libp2p in Linux network
// namespaces:
//
//	broadcaster 203.0.113.10 ─┐
//	relay       203.0.113.20 ─┼─ internet bridge
//	NAT A       203.0.113.101 ┤   └─ viewer A 10.0.1.2
//	NAT B       203.0.113.102 ┘   └─ viewer B 10.0.2.2 (cannot reach the broadcaster)
//
// Viewer A dials the broadcaster. Viewer B dials nobody but the relay,
// and then viewer A's relayed address, so the stream reaches it only over
// a connection that starts relayed. The relay is a dedicated one, whose
// relayed connections GossipSub uses, so delivery does not depend on
// hole punching; the test reports whether hole punching made the
// connection direct and why not.
func TestNATTraversal(t *testing.T) {
	tp := newTopology(t)
	relayNode, bc := newIdentity(t, relayIP), newIdentity(t, broadcasterIP)
	viewerA, viewerB := newIdentity(t, natAIP), newIdentity(t, natBIP)
	ch, err := broadcast.NewChannel(bc.id, channelName)
	require.NoError(t, err)
	data := knownBytes(int(rate * streamTime / time.Second))

	relayP := startHelper(t, "relay", tp.ns(nsRelay), helperConfig{
		Role: roleRelay, Key: relayNode.key, Listen: listenAddrs})
	bcP := startHelper(t, "broadcaster", tp.ns(nsBroadcaster), helperConfig{
		Role: roleBroadcaster, Key: bc.key, Listen: listenAddrs,
		Channel: ch.ID(), Bytes: len(data), Rate: rate})
	relayP.wait("up", 20*time.Second)
	bcP.wait("up", 20*time.Second)

	aP := startHelper(t, "viewer A", tp.ns(nsViewerA), helperConfig{
		Role: roleViewer, Key: viewerA.key, Listen: listenAddrs,
		Bootstrap: bc.addrs, Relays: relayNode.addrs, Channel: ch.ID(), Rate: rate,
		MeshWith: bc.id.String(), Watch: viewerB.id.String()})
	aP.wait("up", 20*time.Second)

	// The circuit address is the relay's QUIC address, the way to A that
	// A's reservation opened.
	circuit := relayNode.addrs[0] + "/p2p-circuit/p2p/" + viewerA.id.String()
	bP := startHelper(t, "viewer B", tp.ns(nsViewerB), helperConfig{
		Role: roleViewer, Key: viewerB.key, Listen: listenAddrs,
		Bootstrap: relayNode.addrs, Relays: relayNode.addrs, Dial: circuit, Channel: ch.ID(), Rate: rate,
		MeshWith: viewerA.id.String(), Watch: viewerA.id.String(), Forbidden: bc.id.String()})
	relayed := bP.wait("relayed", 30*time.Second)
	assert.True(t, relayed.RelayedFirst, "B's first connection to A goes through the relay: %+v", relayed.Watched)
	assert.False(t, relayed.Watched.Limited, "the dedicated relay's connections are unlimited")

	aP.wait("mesh", 20*time.Second)
	bP.wait("mesh", 20*time.Second)
	start := time.Now()
	bcP.send("start")
	bcDone := bcP.wait("done", streamTime+20*time.Second)
	require.EqualValues(t, len(data), bcDone.Bytes)
	a := aP.wait("played", 20*time.Second)
	b := bP.wait("played", 20*time.Second)
	t.Logf("stream of %d bytes at %d kbit/s played by both viewers %v after the broadcaster started",
		len(data), rate*8/1000, time.Since(start).Round(time.Millisecond))

	want := sha256.Sum256(data)
	for name, e := range map[string]event{"A": a, "B": b} {
		assert.Equal(t, hex.EncodeToString(want[:]), e.SHA256, "viewer %s played the published bytes", name)
		assert.EqualValues(t, len(data), e.Bytes, "viewer %s", name)
		assert.Zero(t, e.Skipped, "viewer %s skipped chunks", name)
	}
	assert.False(t, b.Forbidden.Connected(), "B never connects to the broadcaster: %+v", b.Forbidden)

	reportPunch(t, a, b)
}

// reportPunch says whether hole punching upgraded the relayed connection
// between the viewers, as B saw it, with both sides' hole punching
// traces, which say why when it did not (A initiates the punch).
func reportPunch(t *testing.T, a, b event) {
	t.Helper()
	traces := fmt.Sprintf("A's hole punch trace:\n\t%s\nB's hole punch trace:\n\t%s",
		strings.Join(a.HolePunch, "\n\t"), strings.Join(b.HolePunch, "\n\t"))
	if b.Watched.Direct > 0 {
		t.Logf("hole punching upgraded the relayed connection to a direct one: yes, %v after it opened "+
			"(B's ConnInfo to A %+v, direct to %v; A's ConnInfo to B %+v)\n%s",
			b.DirectAfter.Round(time.Millisecond), b.Watched, b.DirectAddrs, a.Watched, traces)
		return
	}
	t.Logf("hole punching upgraded the relayed connection to a direct one: no (B's ConnInfo to A %+v; A's to B %+v); "+
		"the stream came through the relay. A NAT that maps each destination to another port (symmetric) "+
		"defeats hole punching; the traces say what was tried.\n%s", b.Watched, a.Watched, traces)
}
