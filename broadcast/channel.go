package broadcast

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// MaxNameLen is the longest channel name, in bytes.
	MaxNameLen = 64
	// MaxIDLen is the longest printable channel ID, in bytes: the wire format
	// stores its length in one byte.
	MaxIDLen = 255

	topicPrefix = "/gridcast/1/chunks/"
)

// Channel is one live stream: its owner's peer ID plus a name. Only the owner
// can publish on it.
//
// The owner must be a peer ID that embeds its public key (Ed25519 and other
// identity-multihash IDs do), so that every relay can check a chunk's
// signature against the channel without asking anyone for the key.
//
// The zero Channel is invalid. Build one with NewChannel or ParseChannel, or
// call Validate on a literal.
type Channel struct {
	Owner peer.ID
	Name  string
}

// NewChannel returns the channel called name owned by owner.
//
// Names are 1..MaxNameLen bytes of [A-Za-z0-9._-], other than "." and "..".
// Errors wrap ErrBadChannelID and say which rule was broken.
func NewChannel(owner peer.ID, name string) (Channel, error) {
	c := Channel{Owner: owner, Name: name}
	if err := c.Validate(); err != nil {
		return Channel{}, err
	}
	return c, nil
}

// ParseChannel parses the printable channel ID "<peerID>/<name>", as returned
// by Channel.ID, after trimming surrounding whitespace. The peer ID may be in
// base58 or CID text form; ID always prints base58.
//
// Errors wrap ErrBadChannelID and describe the problem for a person: a missing
// "/", an empty or overlong name, the first disallowed character in the name,
// or why the peer ID was rejected (including peer.Decode's reason).
func ParseChannel(id string) (Channel, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return Channel{}, fmt.Errorf("%w: empty; want <peerID>/<name>", ErrBadChannelID)
	}
	owner, name, ok := strings.Cut(id, "/")
	if !ok {
		return Channel{}, fmt.Errorf("%w: %q has no \"/\" between the peer ID and the name", ErrBadChannelID, id)
	}
	if owner == "" {
		return Channel{}, fmt.Errorf("%w: %q has no peer ID before the \"/\"", ErrBadChannelID, id)
	}
	if err := checkName(name); err != nil {
		return Channel{}, err
	}
	if len(id) > MaxIDLen {
		return Channel{}, fmt.Errorf("%w: the channel ID is %d bytes long; at most %d are allowed", ErrBadChannelID, len(id), MaxIDLen)
	}
	pid, err := peer.Decode(owner)
	if err != nil {
		return Channel{}, fmt.Errorf("%w: peer ID %q is not valid: %w", ErrBadChannelID, owner, err)
	}
	return NewChannel(pid, name)
}

// ID returns the printable channel ID "<peerID>/<name>", the peer ID in
// base58. ParseChannel(c.ID()) returns c for every valid c.
func (c Channel) ID() string { return c.Owner.String() + "/" + c.Name }

// String returns c.ID().
func (c Channel) String() string { return c.ID() }

// Topic returns the pubsub topic that carries the channel's chunks.
func (c Channel) Topic() string { return topicPrefix + c.ID() }

// Validate reports whether c could have come from NewChannel. Errors wrap
// ErrBadChannelID.
func (c Channel) Validate() error {
	_, err := c.validID()
	return err
}

// validID validates c and returns its ID, formatted once.
func (c Channel) validID() (string, error) {
	if err := checkName(c.Name); err != nil {
		return "", err
	}
	if err := checkOwner(c.Owner); err != nil {
		return "", err
	}
	// Only identity keys far larger than Ed25519's can get here.
	id := c.ID()
	if len(id) > MaxIDLen {
		return "", fmt.Errorf("%w: the channel ID is %d bytes long; at most %d are allowed", ErrBadChannelID, len(id), MaxIDLen)
	}
	return id, nil
}

func checkOwner(id peer.ID) error {
	if id == "" {
		return fmt.Errorf("%w: the owner peer ID is empty", ErrBadChannelID)
	}
	_, err := id.ExtractPublicKey()
	if errors.Is(err, peer.ErrNoPublicKey) {
		return fmt.Errorf("%w: peer ID %s is a hash of its public key, so relays cannot check the owner's signatures; use an Ed25519 key: %w",
			ErrBadChannelID, id, err)
	}
	if err != nil {
		return fmt.Errorf("%w: peer ID %s does not hold a usable public key: %w", ErrBadChannelID, id, err)
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrBadChannelID)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: the name is %d bytes long; at most %d are allowed", ErrBadChannelID, len(name), MaxNameLen)
	case name == "." || name == "..":
		// They would read as path steps in the topic string.
		return fmt.Errorf("%w: the name cannot be %q", ErrBadChannelID, name)
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return fmt.Errorf("%w: the name %q contains %s at byte %d; only letters, digits, '.', '_' and '-' are allowed",
				ErrBadChannelID, name, describeChar(name[i:]), i)
		}
	}
	return nil
}

func nameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		b == '.' || b == '_' || b == '-'
}

// describeChar names the character at the start of s, falling back to the raw
// byte when s is not UTF-8 there.
func describeChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("the byte 0x%02x", s[0])
	}
	return fmt.Sprintf("%q", r)
}
