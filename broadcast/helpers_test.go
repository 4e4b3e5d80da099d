package broadcast

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// Fixed keys keep test output, fuzz seeds and examples reproducible.
const (
	ownerOneText = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5" // seed 0x01…
	ownerTwoText = "12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq" // seed 0x02…
	ownerOneCID  = "bafzaajaiaejcbcui4poxicprsx6vfwznhs5f24wkm4e36hmucin7g5eiag2a6324"
	// hashedPeerText is a well-formed peer ID that hashes its key (an RSA
	// key's, from the IPFS bootstrap list), so the key cannot be extracted.
	hashedPeerText = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"
)

// ownerForTest returns the Ed25519 peer ID whose private key seed is 32
// copies of seed.
func ownerForTest(tb testing.TB, seed byte) peer.ID {
	tb.Helper()
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)))
	require.NoError(tb, err)
	id, err := peer.IDFromPrivateKey(sk)
	require.NoError(tb, err)
	return id
}

func channelForTest(tb testing.TB, seed byte, name string) Channel {
	tb.Helper()
	ch, err := NewChannel(ownerForTest(tb, seed), name)
	require.NoError(tb, err)
	return ch
}

// epoch is an arbitrary fixed instant for chunk times.
var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func encodeForTest(tb testing.TB, c Chunk) []byte {
	tb.Helper()
	data, err := c.Encode()
	require.NoError(tb, err)
	return data
}
