package chat_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/chat"
	"github.com/gridcast/gridcast/peer"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests run real libp2p hosts over TCP on 127.0.0.1.

func newNode(t *testing.T) *peer.Node {
	t.Helper()
	n, err := peer.New(t.Context(), peer.WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

func connect(t *testing.T, from, to *peer.Node) {
	t.Helper()
	info := libp2ppeer.AddrInfo{ID: to.ID(), Addrs: to.Host().Addrs()}
	require.NoError(t, from.Connect(t.Context(), info))
}

func join(t *testing.T, n *peer.Node, ch broadcast.Channel, opts ...chat.Option) *chat.Room {
	t.Helper()
	r, err := chat.Join(n, ch, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

// waitForMesh waits until each pair of nodes shares the chat's mesh, so a
// line goes by push rather than by the slower gossip repair.
func waitForMesh(t *testing.T, ch broadcast.Channel, pairs ...[2]*peer.Node) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, p := range pairs {
			if !slices.Contains(p[0].Monitor().MeshPeers(chat.Topic(ch)), p[1].ID()) {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "chat mesh did not form")
}

func next(t *testing.T, r *chat.Room) chat.Line {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	l, err := r.Next(ctx)
	require.NoError(t, err)
	return l
}

// TestLineReachesEveryone runs viewers A and C around the broadcaster B,
// A - B - C: A's line reaches C, two hops away, and B with A's ID and
// nick, and comes back to A itself.
func TestLineReachesEveryone(t *testing.T) {
	a, b, c := newNode(t), newNode(t), newNode(t)
	connect(t, a, b)
	connect(t, c, b)
	ch, err := broadcast.NewChannel(b.ID(), "live")
	require.NoError(t, err)
	roomA := join(t, a, ch, chat.WithNick("alice"))
	roomB := join(t, b, ch, chat.WithNick("host"))
	roomC := join(t, c, ch)
	waitForMesh(t, ch, [2]*peer.Node{a, b}, [2]*peer.Node{c, b})

	sent := time.Now()
	require.NoError(t, roomA.Send(t.Context(), "hello from A 👋"))
	for name, r := range map[string]*chat.Room{"C": roomC, "B": roomB, "A (echo)": roomA} {
		l := next(t, r)
		assert.Equal(t, a.ID(), l.From, name)
		assert.Equal(t, "alice", l.Nick, name)
		assert.Equal(t, "hello from A 👋", l.Text, name)
		assert.Equal(t, ch, l.Channel, name)
		assert.WithinDuration(t, sent, l.Time, time.Second, name)
	}
	t.Logf("two hops in %v", time.Since(sent).Round(time.Millisecond))

	require.NoError(t, roomC.Send(t.Context(), "hi A"))
	l := next(t, roomA)
	assert.Equal(t, c.ID(), l.From)
	assert.Empty(t, l.Nick)
}

// TestFloodsAreRateLimited sends 20 lines fast two ways. Through a Room,
// Send refuses all but Burst with ErrRateLimited, so the others see just
// those. A node that skips the Room and publishes straight on the topic
// gets RelayBurst lines (one more if a token refilled meanwhile) past
// its neighbour's validator, and no further.
func TestFloodsAreRateLimited(t *testing.T) {
	a, b, m := newNode(t), newNode(t), newNode(t)
	connect(t, a, b)
	connect(t, m, b)
	ch, err := broadcast.NewChannel(b.ID(), "live")
	require.NoError(t, err)
	roomA := join(t, a, ch)
	roomB := join(t, b, ch)
	waitForMesh(t, ch, [2]*peer.Node{a, b})

	sentOK, limited := 0, 0
	for i := range 20 {
		switch err := roomA.Send(t.Context(), fmt.Sprint("line ", i)); {
		case err == nil:
			sentOK++
		case assert.ErrorIs(t, err, chat.ErrRateLimited):
			limited++
		}
	}
	assert.LessOrEqual(t, sentOK, chat.Burst+1, "Burst, or one more if a token refilled")
	assert.Equal(t, 20, sentOK+limited)
	// pubsub validates on several workers, so even one sender's lines may
	// arrive out of order.
	var want, got []string
	for i := range sentOK {
		want = append(want, fmt.Sprint("line ", i))
		got = append(got, next(t, roomB).Text)
	}
	assert.ElementsMatch(t, want, got)

	// m publishes with its own router, which signs but does not rate
	// limit; b's validator does.
	topic, err := m.PubSub().Join(chat.Topic(ch))
	require.NoError(t, err)
	t.Cleanup(func() { topic.Close() })
	require.Eventually(t, func() bool { return slices.Contains(topic.ListPeers(), b.ID()) },
		5*time.Second, 10*time.Millisecond, "m learns that b is in the chat")
	before := b.Monitor().TopicStats(chat.Topic(ch))
	receivedBefore := roomB.Stats().Received
	for i := range 20 {
		data, err := chat.Line{Channel: ch, From: m.ID(), Text: fmt.Sprint("spam ", i), Time: time.Now()}.Encode()
		require.NoError(t, err)
		require.NoError(t, topic.Publish(t.Context(), data))
	}
	var passed uint64
	require.Eventually(t, func() bool {
		s := b.Monitor().TopicStats(chat.Topic(ch))
		passed = s.Delivered - before.Delivered
		return passed+s.Rejected-before.Rejected >= 20
	}, 5*time.Second, 10*time.Millisecond, "b validated all 20")
	require.Eventually(t, func() bool { return roomB.Stats().Received-receivedBefore == passed },
		5*time.Second, 10*time.Millisecond, "the room took every line b accepted")
	for range passed {
		assert.Equal(t, m.ID(), next(t, roomB).From)
	}
	t.Logf("through a Room: %d of 20 sent; straight on the topic: %d of 20 passed", sentOK, passed)
	assert.GreaterOrEqual(t, passed, uint64(chat.RelayBurst))
	assert.LessOrEqual(t, passed, uint64(chat.RelayBurst+1))
}

func TestRoomLifecycle(t *testing.T) {
	n := newNode(t)
	ch, err := broadcast.NewChannel(n.ID(), "live")
	require.NoError(t, err)
	r := join(t, n, ch, chat.WithBuffer(2))

	_, err = chat.Join(n, ch)
	assert.Error(t, err, "one Room per channel and node")
	_, err = chat.Join(n, ch, chat.WithNick("a very long nick that goes on and on"))
	assert.ErrorIs(t, err, chat.ErrBadOption)

	assert.ErrorIs(t, r.Send(t.Context(), string(make([]byte, chat.MaxTextLen+1))), chat.ErrTooLong)
	assert.ErrorIs(t, r.Send(t.Context(), ""), chat.ErrBadText)
	assert.ErrorIs(t, r.Send(t.Context(), "two\nlines"), chat.ErrBadText)

	// Three lines into a buffer of two: the oldest is dropped and counted.
	for i := range 3 {
		require.NoError(t, r.Send(t.Context(), fmt.Sprint("line ", i)))
	}
	// A line is counted received before it is queued, and the drop
	// happens as it is queued, so both counts are waited for.
	require.Eventually(t, func() bool {
		s := r.Stats()
		return s.Received == 3 && s.Dropped == 1
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "line 1", next(t, r).Text)

	waiting := make(chan error, 1)
	go func() {
		_, err := r.Next(context.Background())
		for err == nil {
			_, err = r.Next(context.Background())
		}
		waiting <- err
	}()
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "safe twice")
	assert.ErrorIs(t, <-waiting, chat.ErrClosed, "Close wakes a blocked Next")
	assert.ErrorIs(t, r.Send(t.Context(), "late"), chat.ErrClosed)

	again, err := chat.Join(n, ch)
	require.NoError(t, err, "Close released the topic and its validator")
	require.NoError(t, again.Close())
}

// TestCloseWaitsForGoroutines closes a room on a node that stays up:
// Close has waited for the goroutine it started.
func TestCloseWaitsForGoroutines(t *testing.T) {
	n := newNode(t)
	ch, err := broadcast.NewChannel(n.ID(), "live")
	require.NoError(t, err)
	before := runtime.NumGoroutine()
	r, err := chat.Join(n, ch)
	require.NoError(t, err)
	require.NoError(t, r.Send(t.Context(), "hi"))
	next(t, r)
	require.NoError(t, r.Close())
	// The node's own goroutines come and go; poll (without assert's
	// Eventually, whose goroutines would count) until they settle.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}
