package directory

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// ownerOneText is idForTest(1). Fixed keys keep fuzz seeds and examples
// reproducible.
const ownerOneText = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5"

// epoch is an arbitrary fixed instant.
var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// idForTest returns the Ed25519 peer ID whose private key seed is 32
// copies of seed.
func idForTest(tb testing.TB, seed byte) peer.ID {
	tb.Helper()
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)))
	require.NoError(tb, err)
	id, err := peer.IDFromPrivateKey(sk)
	require.NoError(tb, err)
	return id
}

func channelForTest(tb testing.TB, seed byte, name string) broadcast.Channel {
	tb.Helper()
	ch, err := broadcast.NewChannel(idForTest(tb, seed), name)
	require.NoError(tb, err)
	return ch
}

// announcementForTest is a valid announcement of owner one's "live" sent at
// epoch.
func announcementForTest(tb testing.TB) Announcement {
	tb.Helper()
	return Announcement{
		Channel: channelForTest(tb, 1, "live"),
		Title:   "Évening show <live>",
		Format:  "mpegts",
		Bitrate: 2_000_000,
		Viewers: 120,
		Scale:   2,
		Started: epoch.Add(-time.Hour),
		Time:    epoch,
		TTL:     30 * time.Second,
	}
}

func encodeForTest(tb testing.TB, a Announcement) []byte {
	tb.Helper()
	data, err := a.Encode()
	require.NoError(tb, err)
	return data
}

func beatForTest(tb testing.TB, b Beat) []byte {
	tb.Helper()
	data, err := b.AppendEncode(nil)
	require.NoError(tb, err)
	return data
}

func message(from peer.ID, data []byte) *pubsub.Message {
	return &pubsub.Message{Message: &pb.Message{From: []byte(from), Data: data}}
}

// clock is a settable time source for validators and tables.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
