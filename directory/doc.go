// Package directory lists live channels and estimates their audiences.
//
// Entry points:
//
//   - [Announcer] keeps one channel listed: its owner's node announces it
//     on [Topic] every interval, with a TTL, and counts its audience.
//   - [Directory] subscribes to [Topic], relays it, and keeps a bounded
//     table of the live channels: [Directory.Channels] for a listing,
//     [Directory.Lookup] for one channel.
//   - [Presence] makes a viewer count in a channel's audience, by sending
//     sampled beats on the channel's [PresenceTopic].
//   - [Estimator] and [ScaleFor] are the pure counting policy.
//   - [Decode] and [DecodeBeat] read the wire forms; they never panic.
//
// The caller provides a running node ([broadcast.Node], for example a
// *peer.Node) whose router signs every message (StrictSign, as package
// relay configures it). A node may run any number of these objects; they
// share its hold on each topic.
//
// # Trust
//
// Every message is signed by its author. Validators accept an
// announcement only from its channel's owner, so nobody can list, retitle
// or delist someone else's channel. Malformed, oversized and foreign
// messages are rejected, which relay's scoring penalises; messages that
// are only late, early or too frequent by the receiver's clock or history
// are ignored, which costs an honest forwarder nothing.
//
// # Audience estimate
//
// Each viewer beats once per period (DefaultPeriod) with probability 1/S,
// where S is the scale in the channel's latest announcement. The owner's
// Announcer sums, over the distinct authors that beat in the last period,
// the S each beat was sent with, and announces that estimate and the next
// S = ScaleFor(estimate) = max(1, ceil(estimate/BeatTarget)). So about
// BeatTarget beats per period flow whatever the audience, exact counts
// below BeatTarget viewers and a relative standard error under 12.5%
// above; see [Estimator] for the rest of its error. The estimate trusts
// viewers: anyone can make up identities and beat.
//
// Cost: a beat is about 300 bytes with its signed envelope, so 64 beats
// per 30 s are about 0.6 KB/s per mesh link, half a percent of a 1 Mbit/s
// stream. An announcement is about 500 bytes with its envelope: 50 B/s per
// live channel per mesh link at the default interval, which is what bounds
// how many channels one directory topic carries comfortably.
//
// # Wire formats
//
// An announcement (version 1) is one JSON object of at most
// MaxAnnouncementSize bytes, valid UTF-8, with these fields and no
// others (an absent field reads as zero, which only title, format,
// bitrate, viewers and started_ns accept):
//
//	{"v":1,                      version; others are ignored, not rejected
//	 "channel":"<peerID>/<name>", as broadcast.Channel.ID prints it
//	 "title":"…",                 ≤ MaxTitleLen bytes, no control characters
//	 "format":"mpegts",           ≤ MaxFormatLen bytes, no control characters
//	 "bitrate":2000000,           bits/s, ≥ 0 (0 = unknown)
//	 "viewers":120,               0..MaxViewers
//	 "scale":2,                   1..MaxScale
//	 "started_ns":…,              Unix ns, 0 (unknown) or ≤ time_ns
//	 "time_ns":…,                 Unix ns, > 0
//	 "ttl_ms":30000}              MinTTL..MaxTTL in milliseconds
//
// JSON costs a few hundred bytes per announcement every 10 s, which is
// nothing next to a video stream, and lets anyone read the topic with a
// generic tool.
//
// A presence beat (version 1) is binary, big-endian, exactly 14 + L bytes:
//
//	offset  size  field
//	0       1     version (1)
//	1       1     L, the length of the channel ID (1..255)
//	2       L     channel ID, "<peerID>/<name>", peer ID in base58
//	2+L     4     scale S the beat was sent with, uint32, 1..MaxScale
//	6+L     8     send time, Unix nanoseconds, int64, > 0
//
// The author is the pubsub message's signer and is not repeated. The time
// keeps each beat's content, and so its message ID (relay.MessageID), new.
package directory
