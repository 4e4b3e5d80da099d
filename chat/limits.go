package chat

import (
	"time"

	"github.com/gridcast/gridcast/broadcast"
)

const topicPrefix = "/gridcast/1/chat/"

// Topic returns the pubsub topic of ch's chat.
func Topic(ch broadcast.Channel) string { return topicPrefix + ch.ID() }

// Protocol limits, in one place. Every node enforces them in its topic
// validator, so they are part of the wire protocol.
const (
	// Version is the wire version of a line.
	Version = 1

	// MaxTextLen bounds a line's text, in bytes of UTF-8.
	MaxTextLen = 500
	// MaxNickLen bounds a nick, in bytes of UTF-8.
	MaxNickLen = 32
	// MaxFromLen bounds the sender's printed peer ID. An Ed25519 ID is 52
	// bytes; 128 leaves room for other key types that embed their key.
	MaxFromLen = 128
	// MaxLineSize bounds a line's wire form, in bytes. The longest valid
	// line, with text and nick made of characters JSON escapes, is about
	// 1.3 KiB (TestLargestLineFits).
	MaxLineSize = 2 << 10

	// MaxClockSkew is how far a line's time may be from the receiver's
	// clock, either way. pubsub remembers a message for two minutes, so a
	// line replayed after that is refused by its age.
	MaxClockSkew = 2 * time.Minute

	// LineEvery and Burst are a sender's rate: a token bucket that holds
	// Burst lines and refills one every LineEvery. Send enforces it on
	// this node's own lines.
	LineEvery = time.Second
	Burst     = 5
	// RelayBurst is the bucket size validators give every sender: two
	// lines more than Burst, so a sender at its full rate is not cut by
	// the jitter that bunches its lines up on the way.
	RelayBurst = Burst + 2
)
