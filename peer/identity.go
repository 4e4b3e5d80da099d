package peer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// LoadOrCreateKey returns the Ed25519 identity stored at path, creating it
// (mode 0600, parent directories 0700) when the file does not exist. The
// key is the broadcaster's channel ownership: the same file gives the same
// channel ID after a restart, and anyone who reads it can publish as you,
// so a file readable by group or others is refused, as ssh does.
//
// Errors wrap [ErrBadKey] when the file exists but is not a usable key.
func LoadOrCreateKey(path string) (crypto.PrivKey, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty path", ErrBadKey)
	}
	key, err := loadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	return createKey(path)
}

func loadKey(path string) (crypto.PrivKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// Windows reports every file as 0666; its ACLs are not modes.
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by others (mode %04o); run chmod 600 %s", ErrBadKey, path, info.Mode().Perm(), path)
	}
	// A marshalled Ed25519 key is 68 bytes; refuse to read a large file
	// someone pointed us at by mistake.
	const maxKeyFile = 4 << 10
	if info.Size() > maxKeyFile {
		return nil, fmt.Errorf("%w: %s is %d bytes, too large for a key", ErrBadKey, path, info.Size())
	}
	data := make([]byte, info.Size())
	if _, err := f.ReadAt(data, 0); err != nil && info.Size() > 0 {
		return nil, fmt.Errorf("%w: read %s: %v", ErrBadKey, path, err)
	}
	key, err := crypto.UnmarshalPrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadKey, path, err)
	}
	if key.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("%w: %s holds a %s key, want Ed25519", ErrBadKey, path, key.Type())
	}
	return key, nil
}

func createKey(path string) (crypto.PrivKey, error) {
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		return nil, fmt.Errorf("peer: generate key: %w", err)
	}
	data, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("peer: marshal key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("peer: create key directory: %w", err)
	}
	// Write a temporary file and link it into place: a process starting at
	// the same moment either wins the link or loads the winner's whole key,
	// never a half-written one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gridcast-key-*")
	if err != nil {
		return nil, fmt.Errorf("peer: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return nil, fmt.Errorf("peer: create key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("peer: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("peer: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return loadKey(path)
	} else if err != nil {
		return nil, fmt.Errorf("peer: save key file: %w", err)
	}
	return key, nil
}
