package peer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testID = "12D3KooWHHzSeKaY8xuZVzkLbKFfvNgPPeKhFBGrMbNzbm5akpqu"

func TestParseAddrs(t *testing.T) {
	infos, err := ParseAddrs(
		"/ip4/127.0.0.1/tcp/4001/p2p/"+testID,
		"/ip4/127.0.0.1/udp/4001/quic-v1/p2p/"+testID,
	)
	require.NoError(t, err)
	require.Len(t, infos, 1, "two addresses of one peer merge")
	assert.Equal(t, testID, infos[0].ID.String())
	assert.Len(t, infos[0].Addrs, 2)
}

func TestParseAddrErrorsNameTheValue(t *testing.T) {
	for _, bad := range []string{
		"",
		"127.0.0.1:4001",
		"/ip4/127.0.0.1/tcp/4001",
		"/ip4/999.0.0.1/tcp/4001/p2p/" + testID,
		"/ip4/127.0.0.1/tcp/4001/p2p/notapeer",
	} {
		t.Run(bad, func(t *testing.T) {
			_, err := ParseAddrs("/ip4/127.0.0.1/tcp/1/p2p/"+testID, bad)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadAddr)
			if bad != "" {
				assert.Contains(t, err.Error(), bad)
			}
		})
	}
}

func TestWithBootstrapRejectsBadAddr(t *testing.T) {
	_, err := New(t.Context(), WithBootstrap("/ip4/127.0.0.1/tcp/4001"))
	assert.ErrorIs(t, err, ErrBadAddr)
	assert.ErrorContains(t, err, "/ip4/127.0.0.1/tcp/4001")
}

func TestParseListenAddrs(t *testing.T) {
	addrs, err := ParseListenAddrs("/ip4/0.0.0.0/tcp/0", " /ip6/::/udp/4001/quic-v1 ")
	require.NoError(t, err)
	assert.Len(t, addrs, 2)
	for _, bad := range []string{"", "0.0.0.0:4001", "/ip4/0.0.0.0/tcp/99999", "/ip4/127.0.0.1/tcp/1/p2p/" + testID} {
		_, err := ParseListenAddrs("/ip4/0.0.0.0/tcp/0", bad)
		assert.ErrorIs(t, err, ErrBadAddr, "%q", bad)
	}
	_, err = New(t.Context(), WithListenAddrs("/ip4/0.0.0.0/tcp/notaport"))
	assert.ErrorIs(t, err, ErrBadAddr)
}

// FuzzParseAddrFlags feeds the parsers behind the programs' -peer, -relay
// and -listen flags arbitrary text: they return a value or an error
// wrapping ErrBadAddr, never panic, and a parsed peer address prints back
// to one that parses to the same peer.
func FuzzParseAddrFlags(f *testing.F) {
	for _, s := range []string{
		"/ip4/127.0.0.1/tcp/4001/p2p/" + testID,
		"/ip4/127.0.0.1/udp/4001/quic-v1/p2p/" + testID,
		"/ip6/::1/udp/4001/quic-v1/webtransport/p2p/" + testID,
		"/dns4/example.com/tcp/443/wss/p2p/" + testID,
		"/ip4/1.2.3.4/tcp/4001/p2p/" + testID + "/p2p-circuit/p2p/" + testID,
		"/ip4/0.0.0.0/tcp/0", "/ip6/::/udp/0/quic-v1", "/unix/tmp/x",
		"/ip4/127.0.0.1/tcp/4001", "127.0.0.1:4001", "", "/", "//", "/p2p/",
		"/ip4/999.0.0.1/tcp/1", "/ip4/1.2.3.4/tcp/65536", "/ipfs/" + testID,
		"/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ",
		"/garlic64/" + string(make([]byte, 40)), "/onion3/aaaa:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := ParseAddr(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadAddr)
		} else {
			require.NotEmpty(t, info.ID)
			for _, a := range info.Addrs {
				again, err := ParseAddr(a.String() + "/p2p/" + info.ID.String())
				require.NoError(t, err, "%q from %q", a, s)
				require.Equal(t, info.ID, again.ID)
			}
		}
		if _, err := ParseListenAddrs(s); err != nil {
			require.ErrorIs(t, err, ErrBadAddr)
		}
	})
}
