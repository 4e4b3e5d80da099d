package broadcast

import (
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewChannel(t *testing.T) {
	owner := ownerForTest(t, 1)
	hashed, err := peer.Decode(hashedPeerText)
	require.NoError(t, err)

	tests := []struct {
		name    string
		owner   peer.ID
		chName  string
		wantErr string // substring; empty means valid
	}{
		{"simple", owner, "live", ""},
		{"every allowed byte", owner, "AZaz09._-", ""},
		{"longest name", owner, strings.Repeat("n", MaxNameLen), ""},
		{"dots inside", owner, "a..b", ""},
		{"empty name", owner, "", "the name is empty"},
		{"name too long", owner, strings.Repeat("n", MaxNameLen+1), "65 bytes long; at most 64"},
		{"dot", owner, ".", `cannot be "."`},
		{"dot dot", owner, "..", `cannot be ".."`},
		{"slash", owner, "a/b", `contains '/' at byte 1`},
		{"space", owner, "my show", `contains ' ' at byte 2`},
		{"non-ASCII", owner, "café", `contains 'é' at byte 3`},
		{"invalid UTF-8", owner, "a\xff", "contains the byte 0xff at byte 1"},
		{"empty owner", "", "live", "owner peer ID is empty"},
		{"hashed owner", hashed, "live", "hash of its public key"},
		{"garbage owner", peer.ID("garbage"), "live", "does not hold a usable public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := NewChannel(tt.owner, tt.chName)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, Channel{Owner: tt.owner, Name: tt.chName}, ch)
				assert.NoError(t, ch.Validate())
				return
			}
			require.ErrorIs(t, err, ErrBadChannelID)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Zero(t, ch)
			assert.ErrorIs(t, Channel{Owner: tt.owner, Name: tt.chName}.Validate(), ErrBadChannelID)
		})
	}
}

func TestHashedOwnerWrapsPeerError(t *testing.T) {
	hashed, err := peer.Decode(hashedPeerText)
	require.NoError(t, err)
	_, err = NewChannel(hashed, "live")
	assert.ErrorIs(t, err, peer.ErrNoPublicKey)
}

func TestParseChannel(t *testing.T) {
	owner := ownerForTest(t, 1)
	tests := []struct {
		name    string
		in      string
		want    Channel
		wantErr string
	}{
		{"canonical", ownerOneText + "/live", Channel{owner, "live"}, ""},
		{"surrounding whitespace", " \t" + ownerOneText + "/live\n", Channel{owner, "live"}, ""},
		{"CID peer ID", ownerOneCID + "/live", Channel{owner, "live"}, ""},
		{"empty", "  ", Channel{}, "empty; want <peerID>/<name>"},
		{"no slash", ownerOneText, Channel{}, `has no "/" between the peer ID and the name`},
		{"no peer ID", "/live", Channel{}, `has no peer ID before the "/"`},
		{"empty name", ownerOneText + "/", Channel{}, "the name is empty"},
		{"second slash", ownerOneText + "/a/b", Channel{}, `contains '/' at byte 1`},
		{"inner space", ownerOneText + "/my show", Channel{}, `contains ' ' at byte 2`},
		{"name too long", ownerOneText + "/" + strings.Repeat("x", 65), Channel{}, "65 bytes long; at most 64"},
		{"long name reported as such", ownerOneText + "/" + strings.Repeat("x", 300), Channel{}, "the name is 300 bytes long; at most 64"},
		{"whole ID too long", strings.Repeat("Q", 260) + "/live", Channel{}, "the channel ID is 265 bytes long; at most 255"},
		{"bad peer ID", "12D3KooWnotvalid/live", Channel{}, `peer ID "12D3KooWnotvalid" is not valid: failed to parse peer ID`},
		{"hashed peer ID", hashedPeerText + "/live", Channel{}, "hash of its public key"},
		{"name dot dot", ownerOneText + "/..", Channel{}, `cannot be ".."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChannel(tt.in)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, ErrBadChannelID)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.Zero(t, got)
		})
	}
}

func TestChannelStrings(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	assert.Equal(t, ownerOneText+"/live", ch.ID())
	assert.Equal(t, ch.ID(), ch.String())
	assert.Equal(t, "/gridcast/1/chunks/"+ownerOneText+"/live", ch.Topic())

	back, err := ParseChannel(ch.ID())
	require.NoError(t, err)
	assert.Equal(t, ch, back)
}
