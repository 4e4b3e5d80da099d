package relay

import (
	"crypto/sha256"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// MessageID identifies a message by content: the SHA-256 of its author
// (From) followed by its data, as a 32-byte binary string (hex-encode it to
// print). PubSubOptions installs it with pubsub.WithMessageIdFn.
//
// A node sends IDONTWANT for a message before validating it. With pubsub's
// default IDs (author + sequence number), which are predictable, a forger
// could announce the source's next chunk before it exists and stop mesh
// peers from sending the real one; a content hash cannot be known before the
// chunk is. Hashing the author too means a forger re-signing a real chunk's
// data under its own key gets a different ID, so its copy cannot shadow the
// real chunk in the seen-cache. Peer IDs are self-delimiting multihashes, so
// From || Data is unambiguous.
func MessageID(m *pb.Message) string {
	h := sha256.New()
	h.Write(m.GetFrom())
	h.Write(m.GetData())
	var sum [sha256.Size]byte
	return string(h.Sum(sum[:0]))
}
