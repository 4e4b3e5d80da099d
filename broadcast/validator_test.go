package broadcast

import (
	"context"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestID(t testing.TB) libp2ppeer.ID {
	t.Helper()
	_, pub, err := crypto.GenerateEd25519Key(nil)
	require.NoError(t, err)
	id, err := libp2ppeer.IDFromPublicKey(pub)
	require.NoError(t, err)
	return id
}

func message(from libp2ppeer.ID, data []byte) *pubsub.Message {
	return &pubsub.Message{Message: &pb.Message{From: []byte(from), Data: data}}
}

func encode(t testing.TB, c Chunk) []byte {
	t.Helper()
	data, err := c.Encode()
	require.NoError(t, err)
	return data
}

func TestValidator(t *testing.T) {
	owner, stranger := newTestID(t), newTestID(t)
	ch, err := NewChannel(owner, "live")
	require.NoError(t, err)
	other, err := NewChannel(owner, "other")
	require.NoError(t, err)
	v, err := newValidator(ch, 1024, 100)
	require.NoError(t, err)
	chunk := func(seq uint64, size int) Chunk {
		return Chunk{Channel: ch, Seq: seq, Time: time.Unix(int64(seq), 0), Payload: make([]byte, size)}
	}
	good := encode(t, chunk(1000, 10))
	oversized := encode(t, chunk(1001, 2048))

	for _, tc := range []struct {
		name string
		msg  *pubsub.Message
		want pubsub.ValidationResult
	}{
		{"owner's chunk", message(owner, good), pubsub.ValidationAccept},
		{"stranger signs a copy", message(stranger, good), pubsub.ValidationReject},
		{"no author", message("", good), pubsub.ValidationReject},
		{"truncated", message(owner, good[:len(good)-1]), pubsub.ValidationReject},
		{"garbage", message(owner, []byte{0xff, 0x00}), pubsub.ValidationReject},
		{"oversized", message(owner, oversized), pubsub.ValidationReject},
		{"another channel", message(owner, encode(t, Chunk{Channel: other, Seq: 1002, Time: time.Unix(1, 0)})), pubsub.ValidationReject},
		{"within the window behind", message(owner, encode(t, chunk(950, 1))), pubsub.ValidationAccept},
		{"in the window but minutes old", message(owner, encode(t, Chunk{Channel: ch, Seq: 990, Time: time.Unix(900, 0)})), pubsub.ValidationReject},
		{"far ahead (a restart)", message(owner, encode(t, chunk(1_000_000, 1))), pubsub.ValidationAccept},
		{"replay far behind", message(owner, encode(t, chunk(1000, 1))), pubsub.ValidationReject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := v.validate(context.Background(), stranger, tc.msg)
			assert.Equal(t, tc.want, got)
			if got == pubsub.ValidationAccept {
				_, ok := tc.msg.ValidatorData.(Chunk)
				assert.True(t, ok, "accepted chunk rides on ValidatorData")
			}
		})
	}
}

func BenchmarkDecodeAndValidate(b *testing.B) {
	owner := newTestID(b)
	ch, err := NewChannel(owner, "live")
	require.NoError(b, err)
	v, err := newValidator(ch, 0, DefaultReplayWindow)
	require.NoError(b, err)
	msg := message(owner, encode(b, Chunk{Channel: ch, Seq: 1, Time: time.Unix(1, 0), Payload: make([]byte, DefaultChunkSize)}))
	b.ReportAllocs()
	b.SetBytes(int64(len(msg.Data)))
	for i := 0; b.Loop(); i++ {
		msg.ValidatorData = nil
		if v.validate(context.Background(), owner, msg) != pubsub.ValidationAccept {
			b.Fatal("rejected")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
}
