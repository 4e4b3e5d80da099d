package peer

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// UplinkProtocol is the protocol on which a node announces its relay
// capacity: the responder writes the whole copies of the stream its budget
// carries (relay.Budget.Copies) as one unsigned varint and closes the
// stream. A source asks every peer that connects, to feed the strong ones
// (relay.Uplinks.SourceScore), and so does a viewer whose budget carries
// no whole copy, to keep the other weak ones out of its mesh
// (relay.Uplinks.WeakViewerScore).
const UplinkProtocol = protocol.ID("/gridcast/uplink/1.0.0")

// Bounds of the uplink exchange.
const (
	// uplinkTimeout bounds one question, from opening the stream to the
	// answer.
	uplinkTimeout = 10 * time.Second
	// uplinkQueries is how many questions a source has in flight at once.
	uplinkQueries = 8
	// unlimitedCopies is what a node without an upload cap announces.
	unlimitedCopies = 64
)

// serveUplink answers UplinkProtocol with this node's copies.
func (n *Node) serveUplink() {
	copies := unlimitedCopies
	if n.budget.Upload > 0 {
		copies = n.budget.Copies(n.bitrate)
	}
	msg := binary.AppendUvarint(nil, uint64(max(copies, 0)))
	n.host.SetStreamHandler(UplinkProtocol, func(s network.Stream) {
		_ = s.SetWriteDeadline(time.Now().Add(uplinkTimeout))
		if _, err := s.Write(msg); err != nil {
			s.Reset()
			return
		}
		s.Close()
	})
}

// askUplinks has the node ask each peer that connects for its capacity,
// and forget it when it disconnects. Questions run in the node's
// goroutines, at most uplinkQueries at once; one per connected peer at
// most waits for a turn.
func (n *Node) askUplinks() error {
	turns := make(chan struct{}, uplinkQueries)
	return n.watchConnectedness(0, func(ev event.EvtPeerConnectednessChanged) {
		if ev.Connectedness != network.Connected {
			n.monitor.Uplinks().Forget(ev.Peer)
			return
		}
		if !n.track() {
			return
		}
		go func() {
			defer n.wg.Done()
			select {
			case turns <- struct{}{}:
			case <-n.ctx.Done():
				return
			}
			defer func() { <-turns }()
			if copies, err := n.askUplink(ev.Peer); err == nil && n.host.Network().Connectedness(ev.Peer) == network.Connected {
				n.monitor.Uplinks().Set(ev.Peer, copies)
			}
		}()
	}, nil)
}

// askUplink asks p for its capacity.
func (n *Node) askUplink(p libp2ppeer.ID) (int, error) {
	ctx, cancel := context.WithTimeout(n.ctx, uplinkTimeout)
	defer cancel()
	s, err := n.host.NewStream(ctx, p, UplinkProtocol)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	// A read waits for no context, so ctx's end (uplinkTimeout, or the
	// node closing) resets the stream: a peer that went away mid-question
	// must not hold Close.
	defer context.AfterFunc(ctx, func() { s.Reset() })()
	// One varint, then the end of the stream; anything longer is bad.
	buf, err := io.ReadAll(io.LimitReader(s, binary.MaxVarintLen64+1))
	if err != nil {
		s.Reset()
		return 0, err
	}
	copies, size := binary.Uvarint(buf)
	if size <= 0 || size != len(buf) {
		return 0, fmt.Errorf("%w: uplink announcement of %d bytes from %s", ErrBadAnnouncement, len(buf), p)
	}
	return int(min(copies, unlimitedCopies)), nil
}
