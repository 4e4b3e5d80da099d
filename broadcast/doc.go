// Package broadcast carries one live stream from its owner to every viewer
// over GossipSub, with every viewer relaying it.
//
// Entry points:
//
//   - [Channel] names a stream: the owner's peer ID plus a name, printed as
//     "<peerID>/<name>" ([ParseChannel] reads it back). Only the owner may
//     publish on it; the owner's peer ID must embed its public key (Ed25519).
//   - [Chunk] is one piece of the stream. [Encoder] and [Chunk.AppendEncode]
//     write its wire form; [Decoder] reads it back for one channel.
//   - [Playout] is the pure in-order playout state machine: reorder buffer,
//     start point, deadlines, restarts.
//   - [Broadcaster] publishes a channel; [Viewer] watches one and relays it,
//     reading it back in order through a Playout.
//
// The caller provides the libp2p host and GossipSub router, and the clock:
// Playout takes now as an argument and never sleeps.
//
// # Wire format
//
// Version 1 of a chunk, big-endian, is:
//
//	offset  size  field
//	0       1     version (1)
//	1       1     flags: bit 0 clean start, bit 1 end of stream,
//	              bit 2 stream start, bit 3 media header;
//	              other bits must be 0
//	2       1     L, the length of the channel ID (1..255)
//	3       L     channel ID, "<peerID>/<name>", peer ID in base58
//	3+L     8     sequence number, uint64
//	11+L    8     publish time, Unix nanoseconds, int64
//	              only with the media header bit (which needs clean start):
//	19+L    1       container format: 0 raw, 1 MPEG-TS, 2 WebM, 3 MP4
//	20+L    4       header length H, uint32
//	24+L    H       the container's init header
//	then    4     payload length N, uint32; equals the bytes that remain
//	then    N     payload
//
// H + N is at most the payload limit. A broadcaster that knows its
// container puts the init header on every clean start chunk: a viewer that
// joins mid-stream, or a player that connects to a viewer later, starts
// with the header and a keyframe instead of bytes it cannot decode. The
// header is small (a few hundred bytes to a few KiB) next to a keyframe.
//
// The version comes first so a future format can change everything after
// it. The channel ID makes a chunk self-describing: saved, or carried
// outside its topic, it still says which stream it belongs to, and a
// Decoder for any other channel rejects it. The payload length repeats what
// the message size implies on purpose: a disagreement exposes a bug or a
// cut message instead of passing silently.
package broadcast
