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
