package peer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadOrCreateKeyPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "broadcaster.key")
	first, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.Equal(t, crypto.Ed25519, int(first.Type()))

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	again, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	id1, err := libp2ppeer.IDFromPrivateKey(first)
	require.NoError(t, err)
	id2, err := libp2ppeer.IDFromPrivateKey(again)
	require.NoError(t, err)
	assert.Equal(t, id1, id2, "same key file, same identity")
}

func TestLoadOrCreateKeyRejects(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.key")
	require.NoError(t, os.WriteFile(garbage, []byte("not a key"), 0o600))
	_, err := LoadOrCreateKey(garbage)
	assert.ErrorIs(t, err, ErrBadKey)

	open := filepath.Join(dir, "open.key")
	_, err = LoadOrCreateKey(open)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(open, 0o644))
	_, err = LoadOrCreateKey(open)
	assert.ErrorIs(t, err, ErrBadKey)
	assert.ErrorContains(t, err, "chmod 600")

	rsaKey, _, err := crypto.GenerateSecp256k1Key(nil)
	require.NoError(t, err)
	data, err := crypto.MarshalPrivateKey(rsaKey)
	require.NoError(t, err)
	other := filepath.Join(dir, "secp.key")
	require.NoError(t, os.WriteFile(other, data, 0o600))
	_, err = LoadOrCreateKey(other)
	assert.ErrorIs(t, err, ErrBadKey)
	assert.ErrorContains(t, err, "want Ed25519")

	_, err = LoadOrCreateKey("")
	assert.ErrorIs(t, err, ErrBadKey)
}
