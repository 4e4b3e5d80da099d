package relay

import (
	"testing"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/stretchr/testify/assert"
)

func TestMessageID(t *testing.T) {
	chunk := []byte("chunk 42")
	real := &pb.Message{From: []byte("source"), Data: chunk, Seqno: []byte{0, 0, 0, 1}}
	id := MessageID(real)
	assert.Len(t, id, 32)

	sameContent := &pb.Message{From: []byte("source"), Data: chunk, Seqno: []byte{9, 9, 9, 9}, Signature: []byte("sig")}
	assert.Equal(t, id, MessageID(sameContent), "seqno and signature are not part of the ID")

	reSigned := &pb.Message{From: []byte("forger"), Data: chunk, Seqno: []byte{0, 0, 0, 1}}
	assert.NotEqual(t, id, MessageID(reSigned), "another author's copy does not shadow the real chunk")

	nextChunk := &pb.Message{From: []byte("source"), Data: []byte("chunk 43"), Seqno: []byte{0, 0, 0, 2}}
	assert.NotEqual(t, id, MessageID(nextChunk))

	assert.Len(t, MessageID(&pb.Message{}), 32)
}
