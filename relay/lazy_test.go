package relay

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestAppendIHaveKeepsTheRest(t *testing.T) {
	a := testMessage("src", "a")
	b := testMessage("src", "b")
	b.Topic = proto.String("other")
	kept := testMessage("src", "kept")
	frame := frameOf(t, &pb.RPC{
		Publish: []*pb.Message{a, kept, b},
		Control: &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{"x"}}}},
	})
	out, n := dropEncoded(frame, func(id [messageIDSize]byte, _ []byte) bool { return id != idOf(kept) })
	require.Equal(t, 2, n)
	out = appendIHave(out, []topicID{{"t", idOf(a)}, {"other", idOf(b)}, {"t", idOf(kept)}})

	rpc := decodeFrame(t, out)
	require.Len(t, rpc.Publish, 1)
	assert.Equal(t, "kept", string(rpc.Publish[0].Data))
	assert.Equal(t, []string{"x"}, rpc.Control.Idontwant[0].MessageIDs, "piggybacked control is merged, not lost")
	require.Len(t, rpc.Control.Ihave, 2, "one IHAVE per topic")
	assert.Equal(t, "t", rpc.Control.Ihave[0].GetTopicID())
	assert.Equal(t, []string{MessageID(a), MessageID(kept)}, rpc.Control.Ihave[0].MessageIDs)
	assert.Equal(t, "other", rpc.Control.Ihave[1].GetTopicID())
	assert.Equal(t, []string{MessageID(b)}, rpc.Control.Ihave[1].MessageIDs)

	// A frame left with nothing but the announcement.
	only := appendIHave(nil, []topicID{{"t", idOf(a)}})
	rpc = decodeFrame(t, only)
	assert.Empty(t, rpc.Publish)
	assert.Equal(t, []string{MessageID(a)}, rpc.Control.Ihave[0].MessageIDs)
}

func TestMessageTopic(t *testing.T) {
	m := testMessage("src", "a")
	enc, err := proto.Marshal(m)
	require.NoError(t, err)
	topic, ok := messageTopic(enc)
	assert.True(t, ok)
	assert.Equal(t, "t", topic)

	m.Topic = nil
	enc, err = proto.Marshal(m)
	require.NoError(t, err)
	_, ok = messageTopic(enc)
	assert.False(t, ok, "no topic field")
	_, ok = messageTopic([]byte{0x22, 0x05, 'a'})
	assert.False(t, ok, "truncated")
}

func TestOffersRedundancy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		var o Offers
		share, samples := o.Redundancy(p)
		assert.Zero(t, share)
		assert.Zero(t, samples)

		var ids []string
		for i := range 10 {
			m := testMessage("src", string(rune('a'+i)))
			o.Offer(p, idOf(m))
			ids = append(ids, MessageID(m))
		}
		// Four were had elsewhere first; an IDONTWANT repeated, or for a
		// chunk never offered, counts nothing more.
		o.DontWant(p, ids[:4])
		o.DontWant(p, ids[:2])
		o.DontWant(p, []string{MessageID(testMessage("src", "never")), "short"})
		share, samples = o.Redundancy(p)
		assert.InDelta(t, 0.4, share, 1e-9)
		assert.InDelta(t, 10, samples, 1e-9)

		time.Sleep(OfferHalfLife)
		share, samples = o.Redundancy(p)
		assert.InDelta(t, 0.4, share, 1e-9, "decay keeps the share")
		assert.InDelta(t, 5, samples, 1e-9, "and halves the count")

		// Past OfferMatch an IDONTWANT is not matched to the offer.
		o.DontWant(p, ids[4:])
		share, _ = o.Redundancy(p)
		assert.InDelta(t, 0.4, share, 1e-9)

		o.Forget(p)
		_, samples = o.Redundancy(p)
		assert.Zero(t, samples)
	})
}

func TestOffersWanted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		var o Offers
		m := testMessage("src", "a")
		assert.False(t, o.Wanted(p, idOf(m)))
		o.Want(p, []string{MessageID(m), "short"})
		assert.True(t, o.Wanted(p, idOf(m)))
		assert.False(t, o.Wanted("other", idOf(m)))
		time.Sleep(HeldTTL + time.Millisecond)
		assert.False(t, o.Wanted(p, idOf(m)), "forgotten after HeldTTL")
	})
}

func TestOffersWantMakesThePeerEager(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		var o Offers
		lazyPeer(&o, p)
		share, samples := o.Redundancy(p)
		require.Equal(t, 1.0, share)
		require.GreaterOrEqual(t, samples, float64(OfferMinSamples))

		o.Want(p, []string{"short"}) // no chunk ID: nothing changes
		_, samples = o.Redundancy(p)
		assert.GreaterOrEqual(t, samples, float64(OfferMinSamples))

		o.Want(p, []string{MessageID(testMessage("src", "missed"))})
		share, samples = o.Redundancy(p)
		assert.Zero(t, share)
		assert.Zero(t, samples, "too few samples to be served lazily")
	})
}

// lazyPeer makes p's record in o say it had every recent offer elsewhere.
func lazyPeer(o *Offers, p peer.ID) {
	var ids []string
	for i := range 2 * OfferMinSamples {
		m := testMessage("warm-up", string(rune('A'+i)))
		o.Offer(p, idOf(m))
		ids = append(ids, MessageID(m))
	}
	o.DontWant(p, ids)
}

func TestLazyPushAnnounces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		var offers Offers
		l := NewLimiter(1_000_000, SkipHeld(NewHeld()), LazyPush(&offers, 0.5))
		sink := newGossipSink(p)
		s := l.wrap(sink)

		// A peer with no record gets the chunk, and it counts as offered.
		frame, m := chunkFrame(t, "a", 4000)
		_, err := s.Write(frame)
		require.NoError(t, err)
		require.Len(t, sink.written(), 1)
		assert.Len(t, decodeFrame(t, sink.written()[0]).Publish, 1)
		_, samples := offers.Redundancy(p)
		assert.InDelta(t, 1, samples, 1e-9)

		// Once p has had most offers elsewhere first, it gets an IHAVE,
		// sent at once as control.
		lazyPeer(&offers, p)
		frame, m = chunkFrame(t, "b", 4000)
		n, err := s.Write(frame)
		require.NoError(t, err)
		assert.Equal(t, len(frame), n)
		require.Len(t, sink.written(), 2)
		rpc := decodeFrame(t, sink.written()[1])
		assert.Empty(t, rpc.Publish)
		require.Len(t, rpc.Control.GetIhave(), 1)
		assert.Equal(t, []string{MessageID(m)}, rpc.Control.Ihave[0].MessageIDs)
		assert.Equal(t, uint64(1), l.Spared().Announced)
		assert.Equal(t, uint64(1), l.Spared().ControlBypass)

		// A chunk p asked for goes whole.
		frame, m = chunkFrame(t, "c", 4000)
		offers.Want(p, []string{MessageID(m)})
		_, err = s.Write(frame)
		require.NoError(t, err)
		require.Len(t, sink.written(), 3)
		assert.Len(t, decodeFrame(t, sink.written()[2]).Publish, 1)

		// Other peers are not affected.
		other := newGossipSink("other")
		_, err = l.wrap(other).Write(frame)
		require.NoError(t, err)
		assert.Len(t, decodeFrame(t, other.written()[0]).Publish, 1)
	})
}

func TestLazyPushOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		var offers Offers
		lazyPeer(&offers, p)
		for name, l := range map[string]*Limiter{
			"share 0":      NewLimiter(1_000_000, SkipHeld(NewHeld()), LazyPush(&offers, 0)),
			"no offers":    NewLimiter(1_000_000, SkipHeld(NewHeld()), LazyPush(nil, 0.5)),
			"above share":  NewLimiter(1_000_000, SkipHeld(NewHeld()), LazyPush(&offers, 1.01)),
			"without skip": NewLimiter(1_000_000, LazyPush(&offers, 0.5)),
		} {
			sink := newGossipSink(p)
			frame, _ := chunkFrame(t, "a", 4000)
			_, err := l.wrap(sink).Write(frame)
			require.NoError(t, err)
			require.Len(t, sink.written(), 1, name)
			assert.Len(t, decodeFrame(t, sink.written()[0]).Publish, 1, name)
			assert.Zero(t, l.Spared().Announced, name)
		}
	})
}

// TestLazyPeerPullsWhatItLacks runs source → a → b on loopback, with a
// serving b lazily from the start: b, fed by nobody else, must ask for
// every chunk a announces, and get it.
func TestLazyPeerPullsWhatItLacks(t *testing.T) {
	src := newRelayNode(t, Budget{}, RoleSource)
	a := newRelayNode(t, Budget{}, RoleViewer,
		func(m *Monitor) LimiterOption { return SkipHeld(m.Held()) },
		func(m *Monitor) LimiterOption { return LazyPush(m.Offers(), 0.3) })
	b := newRelayNode(t, Budget{}, RoleViewer)
	cancel, err := src.top.Relay()
	require.NoError(t, err)
	defer cancel()
	_, err = a.top.Subscribe()
	require.NoError(t, err)
	sub, err := b.top.Subscribe(pubsub.WithBufferSize(SubscriptionBuffer))
	require.NoError(t, err)
	connect(t, src, a)
	connect(t, a, b)
	waitMesh(t, src, a)
	waitMesh(t, a, b)
	lazyPeer(a.m.Offers(), b.h.ID())

	const chunks, size = 10, 4 << 10
	for i := range chunks {
		require.NoError(t, src.top.Publish(t.Context(), bytes.Repeat([]byte{byte(i)}, size)))
		time.Sleep(50 * time.Millisecond)
	}
	ctx, done := context.WithTimeout(t.Context(), 10*time.Second)
	defer done()
	for range chunks {
		msg, err := sub.Next(ctx)
		require.NoError(t, err, "every chunk reaches b")
		assert.Equal(t, a.h.ID(), msg.ReceivedFrom)
	}
	announced := a.l.Spared().Announced
	assert.Positive(t, announced, "a announced rather than sent")
	assert.Positive(t, a.m.RPCStats().IWantReceived, "b asked")
	s, _ := b.m.Score(a.h.ID())
	assert.GreaterOrEqual(t, s, 0.0, "announcing costs a no score at b")
}

func FuzzAnnounceFrame(f *testing.F) {
	f.Add(frameOf(f, &pb.RPC{Publish: []*pb.Message{testMessage("src", "one"), testMessage("src", "two")}}))
	f.Add(frameOf(f, &pb.RPC{
		Publish: []*pb.Message{testMessage("src", "one")},
		Control: &pb.ControlMessage{Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{"a"}}}},
	}))
	f.Add([]byte{0x03, 0x12, 0x01, 0x22})
	f.Fuzz(func(t *testing.T, frame []byte) {
		odd := 0
		out, n := announceFrame(frame, func([messageIDSize]byte) bool { odd++; return odd%2 == 1 })
		if n == 0 {
			assert.Equal(t, frame, out)
			return
		}
		require.True(t, inspectFrame(out).ok, "a well-formed frame")
		body, _ := frameBody(frame)
		var in pb.RPC
		if proto.Unmarshal(body, &in) != nil {
			return // pubsub never writes such a frame; only its shape is checked
		}
		got := decodeFrame(t, out)
		assert.Len(t, got.Publish, len(in.Publish)-n, "the rest is kept")
		announced := 0
		for _, h := range got.GetControl().GetIhave()[len(in.GetControl().GetIhave()):] {
			announced += len(h.MessageIDs)
		}
		assert.Equal(t, n, announced, "each one is announced")
	})
}
