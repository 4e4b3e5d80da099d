package chat

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// Fixed keys keep fuzz seeds reproducible.
const (
	ownerOneText = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5" // seed 0x01…
	ownerTwoText = "12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq" // seed 0x02…
)

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

// lineForTest is a line from peer two in owner one's "live", sent at epoch.
func lineForTest(tb testing.TB) Line {
	tb.Helper()
	return Line{
		Channel: channelForTest(tb, 1, "live"),
		From:    idForTest(tb, 2),
		Nick:    "zoë",
		Text:    "hello <everyone> 👋",
		Time:    epoch,
	}
}

func encodeForTest(tb testing.TB, l Line) []byte {
	tb.Helper()
	data, err := l.Encode()
	require.NoError(tb, err)
	return data
}

// countSentinels counts the decode sentinels err wraps.
func countSentinels(err error) int {
	n := 0
	for _, s := range []error{ErrOversized, ErrMalformed, ErrUnknownVersion, ErrWrongChannel, ErrBadFrom, ErrTooLong, ErrBadText} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}
