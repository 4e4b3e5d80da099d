package relay

import (
	"fmt"
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

// chunkIDs are the MessageIDs of n made-up chunks.
func chunkIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = MessageID(testMessage("src", fmt.Sprint("chunk ", i)))
	}
	return ids
}

func wantFrame(t *testing.T, ids []string, graft bool) []byte {
	ctl := &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: ids}}}
	if graft {
		ctl.Graft = []*pb.ControlGraft{{TopicID: proto.String("t")}}
	}
	return frameOf(t, &pb.RPC{Control: ctl})
}

// wanted is every IWANT ID in the sink's frames, in order.
func wanted(t *testing.T, sink *gossipSink) []string {
	var ids []string
	for _, f := range sink.written() {
		for _, w := range decodeFrame(t, f).GetControl().GetIwant() {
			ids = append(ids, w.MessageIDs...)
		}
	}
	return ids
}

func TestDeferPullsAsksForWhatDidNotCome(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 100 * time.Millisecond
		var seen Seen
		l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&seen, delay))
		assert.Equal(t, delay, l.PullDelay())
		sink := newGossipSink("peer")
		s := l.wrap(sink)
		ids := chunkIDs(3)

		// The GRAFT beside the IWANT goes at once; the IWANT waits.
		frame := wantFrame(t, ids, true)
		n, err := s.Write(frame)
		require.NoError(t, err)
		assert.Equal(t, len(frame), n)
		require.Len(t, sink.written(), 1)
		rpc := decodeFrame(t, sink.written()[0])
		assert.Len(t, rpc.Control.GetGraft(), 1)
		assert.Empty(t, rpc.Control.GetIwant())

		// One chunk comes meanwhile: only the other two are asked for,
		// once the delay has passed.
		seen.Add(ids[1])
		time.Sleep(delay - time.Millisecond)
		synctest.Wait()
		assert.Empty(t, wanted(t, sink), "not before the delay")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.Equal(t, []string{ids[0], ids[2]}, wanted(t, sink))
		assert.Equal(t, Spared{ControlBypass: 2, PullsDeferred: 3, PullsSaved: 1}, l.Spared())

		// Pulls that all came are never sent.
		more := chunkIDs(5)[3:]
		_, err = s.Write(wantFrame(t, more, false))
		require.NoError(t, err)
		seen.Add(more[0])
		seen.Add(more[1])
		time.Sleep(2 * delay)
		synctest.Wait()
		assert.Len(t, sink.written(), 2)
		assert.Equal(t, uint64(3), l.Spared().PullsSaved)
	})
}

func TestDeferPullsOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := chunkIDs(2)
		for name, l := range map[string]*Limiter{
			"delay 0":      NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&Seen{}, 0)),
			"no record":    NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(nil, time.Second)),
			"without skip": NewLimiter(1_000_000, DeferPulls(&Seen{}, time.Second)),
		} {
			sink := newGossipSink("peer")
			_, err := l.wrap(sink).Write(wantFrame(t, ids, false))
			require.NoError(t, err, name)
			assert.Equal(t, ids, wanted(t, sink), name)
			assert.Zero(t, l.Spared().PullsDeferred, name)
		}
		l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&Seen{}, time.Hour))
		assert.Equal(t, MaxPullDelay, l.PullDelay(), "capped")
	})
}

func TestDeferPullsBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(0, SkipHeld(NewHeld()), DeferPulls(&Seen{}, 100*time.Millisecond))
		sink := newGossipSink("peer")
		s := l.wrap(sink)
		ids := chunkIDs(MaxDeferredPulls + 2)
		_, err := s.Write(wantFrame(t, ids, false))
		require.NoError(t, err)
		assert.Equal(t, ids[MaxDeferredPulls:], wanted(t, sink), "past the bound, asked at once")
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		assert.ElementsMatch(t, ids, wanted(t, sink), "the rest after the delay, each once")
	})
}

func TestDeferPullsStopWithTheStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for name, stop := range map[string]func(*pacedStream, *Limiter){
			"reset":          func(s *pacedStream, _ *Limiter) { s.Reset() },
			"closed":         func(s *pacedStream, _ *Limiter) { s.Close() },
			"limiter closed": func(_ *pacedStream, l *Limiter) { l.Close() },
		} {
			l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&Seen{}, 100*time.Millisecond))
			sink := newGossipSink(peer.ID("peer"))
			s := l.wrap(sink)
			_, err := s.Write(wantFrame(t, chunkIDs(2), false))
			require.NoError(t, err)
			stop(s, l)
			time.Sleep(time.Second)
			synctest.Wait()
			assert.Empty(t, sink.written(), name)
		}
	})
}

func TestSeen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s Seen
		ids := chunkIDs(2)
		s.Add(ids[0])
		s.Add("short")
		assert.True(t, s.Has(ids[0]))
		assert.False(t, s.Has(ids[1]))
		assert.False(t, s.Has("short"))
		time.Sleep(SeenTTL + time.Millisecond)
		assert.False(t, s.Has(ids[0]), "forgotten after SeenTTL")

		for _, id := range chunkIDs(MaxSeen + 10) {
			s.Add(id)
		}
		s.mu.Lock()
		assert.LessOrEqual(t, len(s.rec.ids), MaxSeen)
		s.mu.Unlock()
	})
}

func TestMonitorFillsSeen(t *testing.T) {
	m := NewMonitor()
	msg := testMessage("src", "a")
	m.ValidateMessage(&pubsub.Message{Message: msg, ID: MessageID(msg), ReceivedFrom: "from"})
	assert.True(t, m.Seen().Has(MessageID(msg)))
}

func TestDeferPullsAskAtOnceWhenNothingComes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 100 * time.Millisecond
		l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&Seen{}, delay))
		sink := newGossipSink("peer")
		s := l.wrap(sink)
		ids := chunkIDs(PullMinSamples + 2)

		// Held-back pulls that all had to be sent: this stream's peer is
		// the only one feeding the node.
		_, err := s.Write(wantFrame(t, ids[:PullMinSamples], false))
		require.NoError(t, err)
		time.Sleep(delay)
		synctest.Wait()
		require.Len(t, sink.written(), 1)

		// So the next pull goes at once.
		_, err = s.Write(wantFrame(t, ids[PullMinSamples:PullMinSamples+1], false))
		require.NoError(t, err)
		require.Len(t, sink.written(), 2, "asked at once")
		assert.Equal(t, uint64(PullMinSamples), l.Spared().PullsDeferred)

		// Once that record has faded, pulls are held back again, to see
		// whether a feeder came.
		time.Sleep(2 * OfferHalfLife)
		_, err = s.Write(wantFrame(t, ids[PullMinSamples+1:], false))
		require.NoError(t, err)
		assert.Len(t, sink.written(), 2, "held back")
		assert.Equal(t, uint64(PullMinSamples+1), l.Spared().PullsDeferred)
	})
}

func TestPreferFasterFeedersPullsFromAPeerThatAnnouncesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay, lead = 250 * time.Millisecond, 100 * time.Millisecond
		for name, tc := range map[string]struct {
			after   time.Duration // when the eager copy comes, after the IHAVE
			leadOpt time.Duration
			swaps   bool
		}{
			"copies come soon after":         {after: lead / 2, leadOpt: lead},
			"copies come over the lead late": {after: lead + 20*time.Millisecond, leadOpt: lead, swaps: true},
			"off":                            {after: lead + 20*time.Millisecond},
		} {
			var seen Seen
			l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&seen, delay), PreferFasterFeeders(tc.leadOpt))
			sink := newGossipSink("peer")
			s := l.wrap(sink)

			// The peer announces each chunk; this node's feeder delivers
			// it tc.after later, within the pull delay, so no held-back
			// pull is sent. Where the peer is ahead by more than the lead,
			// a few such chunks have the next announcement pulled at once,
			// which makes the peer this node's feeder.
			ids := chunkIDs(4 * PullMinSamples)
			asked := -1
			for i, id := range ids {
				_, err := s.Write(wantFrame(t, []string{id}, false))
				require.NoError(t, err, name)
				if w := wanted(t, sink); len(w) > 0 {
					assert.Equal(t, []string{id}, w, name)
					asked = i
					break
				}
				time.Sleep(tc.after)
				seen.Add(id)
				time.Sleep(delay)
				synctest.Wait()
			}
			sp := l.Spared()
			if tc.swaps {
				require.GreaterOrEqual(t, asked, PullMinSamples, name)
				assert.Equal(t, uint64(asked), sp.PullsSaved, name)
				assert.Equal(t, uint64(asked), sp.PullsLate, name)
			} else {
				assert.Equal(t, -1, asked, name)
				assert.Equal(t, uint64(len(ids)), sp.PullsSaved, name)
				assert.Zero(t, sp.PullsLate, name)
			}
			l.Close()
		}
	})
}
