package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/libp2p/go-libp2p/core/host"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// member is one viewer in a run, in whichever mode.
type member interface {
	// leave stops the viewer abruptly and records its final counters.
	leave(at time.Time)
	host() host.Host
	recorder() *recorder
}

// pubsubMember is a gridcast viewer: a peer.Node and a broadcast.Viewer,
// with one loop reading the playout stream and one reading arrivals.
type pubsubMember struct {
	node   *peer.Node
	viewer *broadcast.Viewer
	rec    *recorder
	wg     sync.WaitGroup
	once   sync.Once
	mu     sync.Mutex // guards node and viewer, which leave clears
}

func startPubsubMember(node *peer.Node, ch broadcast.Channel, w Workload, joined time.Time) (*pubsubMember, error) {
	playout := broadcast.DefaultPlayoutConfig()
	playout.Deadline = w.Deadline
	v, err := broadcast.NewViewer(node, ch, broadcast.WithPlayout(playout))
	if err != nil {
		return nil, err
	}
	m := &pubsubMember{node: node, viewer: v, rec: newRecorder(joined)}
	size := w.ChunkSize()
	m.wg.Go(func() {
		record := make([]byte, size)
		for {
			if _, err := io.ReadFull(v, record); err != nil {
				return
			}
			if !authentic(record) {
				m.rec.forgery()
			} else if idx, at, ok := readRecord(record); ok {
				m.rec.play(idx, at, time.Now())
			}
		}
	})
	m.wg.Go(func() {
		for {
			c, err := v.Next(context.Background())
			if errors.Is(err, broadcast.ErrClosed) {
				return
			}
			if !authentic(c.Payload) {
				m.rec.forgery()
			} else if idx, _, ok := readRecord(c.Payload); ok {
				m.rec.arrive(idx, time.Since(c.Time))
			}
		}
	})
	return m, nil
}

func (m *pubsubMember) leave(at time.Time) {
	m.once.Do(func() {
		st := m.viewer.Stats()
		m.rec.mu.Lock()
		m.rec.left = at
		m.rec.bytesIn = st.BytesIn
		m.rec.received = st.ReceivedBytes
		m.rec.delivered = st.Received
		m.rec.duplicate = st.Duplicates
		m.rec.causes = m.node.Monitor().RPCStats().Duplicates
		m.rec.mu.Unlock()
		m.viewer.Close()
		m.wg.Wait()
		m.node.Close()
		// The run keeps the records of viewers that left, not their
		// closed hosts: a long run would otherwise hold every one.
		m.mu.Lock()
		m.node, m.viewer = nil, nil
		m.mu.Unlock()
	})
}

func (m *pubsubMember) host() host.Host {
	if n := m.peerNode(); n != nil {
		return n.Host()
	}
	return nil
}

// peerNode returns the viewer's node, nil once it has left.
func (m *pubsubMember) peerNode() *peer.Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.node
}
func (m *pubsubMember) recorder() *recorder { return m.rec }

// connectTo dials peers concurrently and waits for the dials to finish;
// failures are left alone, as a real viewer's would be.
func connectTo(ctx context.Context, h host.Host, peers []libp2ppeer.AddrInfo) {
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(func() {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			h.Connect(dctx, p)
		})
	}
	wg.Wait()
}
