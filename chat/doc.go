// Package chat carries one chat per channel over GossipSub, relayed by
// every node in it like the stream itself.
//
// Entry points:
//
//   - [Join] seats a node in a channel's chat and returns a [Room]:
//     [Room.Send] sends a line, [Room.Next] returns the lines that arrive
//     (this node's own included), [Room.Close] leaves.
//   - [Line] is one message; [Decode] reads its wire form and never
//     panics.
//
// The caller provides a running node ([broadcast.Node], for example a
// *peer.Node) whose router signs every message (StrictSign, as package
// relay configures it).
//
// # Trust and limits
//
// A line names its sender, and every node's validator requires that to
// be the message's signer, so a sender cannot be forged; the nick, on the
// other hand, is the sender's free choice. Lines are at most MaxTextLen
// bytes of text without control characters. Each sender gets Burst lines
// at once and one per LineEvery after that: Send refuses this node's own
// excess with ErrRateLimited, and validators drop anyone's excess beyond
// RelayBurst. A line's time must be within MaxClockSkew of the receiver's
// clock, so a recorded line cannot be replayed once pubsub has forgotten
// it. Malformed, oversized and forged lines are rejected, which relay's
// scoring penalises; lines that are only late, early or over the rate by
// the receiver's clock or history are ignored, which costs an honest
// forwarder nothing.
//
// # Wire format
//
// A line (version 1) is one JSON object of at most MaxLineSize bytes,
// valid UTF-8, with these fields and no others (an absent field reads as
// zero, which only nick accepts):
//
//	{"v":1,                       version; others are ignored, not rejected
//	 "channel":"<peerID>/<name>", as broadcast.Channel.ID prints it
//	 "from":"<peerID>",           the signer, as peer.ID.String prints it
//	 "nick":"…",                  ≤ MaxNickLen bytes, no control characters
//	 "text":"…",                  1..MaxTextLen bytes, no control characters
//	 "time_ns":…}                 send time, Unix ns, > 0
//
// The time also keeps two identical texts from having the same content,
// and so the same message ID (relay.MessageID).
package chat
