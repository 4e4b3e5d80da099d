package relay

import (
	"testing"
	"testing/synctest"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// testMessage is a chunk-like message from author with data.
func testMessage(author, data string) *pb.Message {
	return &pb.Message{From: []byte(author), Data: []byte(data), Seqno: []byte{1}, Topic: proto.String("t"), Signature: []byte("sig")}
}

// frameOf encodes rpc the way pubsub writes it: a uvarint length, then
// the RPC.
func frameOf(t testing.TB, rpc *pb.RPC) []byte {
	t.Helper()
	body, err := proto.Marshal(rpc)
	require.NoError(t, err)
	return append(protowire.AppendVarint(nil, uint64(len(body))), body...)
}

// decodeFrame is the inverse of frameOf.
func decodeFrame(t testing.TB, frame []byte) *pb.RPC {
	t.Helper()
	body, ok := frameBody(frame)
	require.True(t, ok, "a well-formed frame")
	var rpc pb.RPC
	require.NoError(t, proto.Unmarshal(body, &rpc))
	return &rpc
}

func idOf(m *pb.Message) [messageIDSize]byte { return [messageIDSize]byte([]byte(MessageID(m))) }

func TestMessageIDFromFrame(t *testing.T) {
	m := testMessage("author", "payload")
	got, ok := messageID(must(proto.Marshal(m)))
	require.True(t, ok)
	assert.Equal(t, idOf(m), got, "the same ID pubsub computes with MessageID")

	// A field given twice counts as its last value, as in decoding.
	twice := append(must(proto.Marshal(testMessage("x", "y"))), must(proto.Marshal(m))...)
	got, ok = messageID(twice)
	require.True(t, ok)
	assert.Equal(t, idOf(m), got)

	_, ok = messageID([]byte{0x0a, 0x05, 'a'})
	assert.False(t, ok, "truncated")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestDropMessages(t *testing.T) {
	a, b, c := testMessage("src", "one"), testMessage("src", "two"), testMessage("src", "three")
	rpc := &pb.RPC{
		Subscriptions: []*pb.RPC_SubOpts{{Subscribe: proto.Bool(true), Topicid: proto.String("t")}},
		Publish:       []*pb.Message{a, b, c},
		Control:       &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{"x"}}}},
	}
	frame := frameOf(t, rpc)
	orig := append([]byte(nil), frame...)
	info := inspectFrame(frame)
	assert.True(t, info.ok)
	assert.Equal(t, 3, info.messages)

	dropB := func(id [messageIDSize]byte) bool { return id == idOf(b) }
	out, n := dropMessages(frame, dropB)
	assert.Equal(t, 1, n)
	assert.Equal(t, orig, frame, "the frame given is not modified")
	got := decodeFrame(t, out)
	require.Len(t, got.Publish, 2)
	assert.True(t, proto.Equal(a, got.Publish[0]))
	assert.True(t, proto.Equal(c, got.Publish[1]))
	assert.True(t, proto.Equal(rpc.Control, got.Control), "control kept")
	assert.True(t, proto.Equal(rpc.Subscriptions[0], got.Subscriptions[0]), "subscriptions kept")

	out, n = dropMessages(frame, func([messageIDSize]byte) bool { return false })
	assert.Zero(t, n)
	assert.Equal(t, &frame[0], &out[0], "nothing dropped: the same bytes, no copy")

	only := frameOf(t, &pb.RPC{Publish: []*pb.Message{a, b}})
	out, n = dropMessages(only, func([messageIDSize]byte) bool { return true })
	assert.Equal(t, 2, n)
	assert.Nil(t, out, "an RPC left empty is not sent")
}

func TestDropMessagesLeavesOddFramesAlone(t *testing.T) {
	all := func([messageIDSize]byte) bool { return true }
	good := frameOf(t, &pb.RPC{Publish: []*pb.Message{testMessage("src", "x")}})
	for name, frame := range map[string][]byte{
		"empty":          {},
		"short":          good[:len(good)-1],
		"two frames":     append(append([]byte(nil), good...), good...),
		"bad length":     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"bad field":      {0x02, 0x12, 0x05},
		"not a protobuf": append(protowire.AppendVarint(nil, 3), 0xff, 0xff, 0xff),
	} {
		out, n := dropMessages(frame, all)
		assert.Zero(t, n, name)
		assert.Equal(t, frame, out, name)
		assert.False(t, inspectFrame(frame).ok && name != "empty", name)
	}
}

func FuzzDropMessages(f *testing.F) {
	f.Add(frameOf(f, &pb.RPC{Publish: []*pb.Message{testMessage("src", "one"), testMessage("src", "two")}}))
	f.Add(frameOf(f, &pb.RPC{Control: &pb.ControlMessage{Ihave: []*pb.ControlIHave{{MessageIDs: []string{"a"}}}}}))
	f.Add([]byte{0x03, 0x12, 0x01, 0x0a})
	f.Fuzz(func(t *testing.T, frame []byte) {
		odd := 0
		out, n := dropMessages(frame, func(id [messageIDSize]byte) bool { odd++; return odd%2 == 1 })
		if n == 0 {
			assert.Equal(t, frame, out)
			return
		}
		// What is left is a well-formed frame of the fields kept.
		if out == nil {
			return
		}
		body, ok := frameBody(out)
		require.True(t, ok)
		assert.Less(t, len(body), len(frame))
		assert.True(t, inspectFrame(out).ok)
	})
}

func TestDropWants(t *testing.T) {
	ids := []string{string(make([]byte, 32)), "x" + string(make([]byte, 31)), "y" + string(make([]byte, 31))}
	rpc := &pb.RPC{Control: &pb.ControlMessage{
		Iwant: []*pb.ControlIWant{{MessageIDs: ids[:2]}, {MessageIDs: ids[2:]}},
		Graft: []*pb.ControlGraft{{TopicID: proto.String("t")}},
	}}
	frame := frameOf(t, rpc)
	var a asked
	out, n := dropWants(frame, a.claim)
	assert.Zero(t, n, "nothing asked yet")
	assert.Equal(t, frame, out)

	// Asking another peer for the first two within IWantRetry leaves them out.
	again := frameOf(t, &pb.RPC{Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: ids}}}})
	var b asked
	b.claim(ids[0])
	b.claim(ids[1])
	out, n = dropWants(again, b.claim)
	assert.Equal(t, 2, n)
	got := decodeFrame(t, out)
	require.Len(t, got.Control.Iwant, 1)
	assert.Equal(t, ids[2:], got.Control.Iwant[0].MessageIDs)

	// A frame left with nothing is not sent; other control is kept.
	out, n = dropWants(again, b.claim)
	assert.Equal(t, 3, n)
	assert.Nil(t, out)
	out, n = dropWants(frame, b.claim)
	assert.Equal(t, 3, n)
	got = decodeFrame(t, out)
	assert.Empty(t, got.Control.Iwant)
	assert.Len(t, got.Control.Graft, 1, "the GRAFT goes")

	for name, odd := range map[string][]byte{"not a frame": {0x05, 1}, "chunk": frameOf(t, &pb.RPC{Publish: []*pb.Message{testMessage("a", "b")}})} {
		out, n = dropWants(odd, func(string) bool { return true })
		assert.Zero(t, n, name)
		assert.Equal(t, odd, out, name)
	}
}

func TestAskedForgetsAfterIWantRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		id := string(make([]byte, 32))
		var a asked
		assert.False(t, a.claim(id), "first ask goes")
		assert.True(t, a.claim(id), "a second within IWantRetry does not")
		time.Sleep(IWantRetry + time.Nanosecond)
		assert.False(t, a.claim(id), "after it, asking again goes")
		assert.False(t, a.claim("short"), "IDs of other lengths are never held back")
		assert.False(t, a.claim("short"))
	})
}
