package peer

import (
	"maps"
	"slices"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// banGraylisted disconnects every peer whose GossipSub score falls under
// relay.GraylistThreshold, and keeps disconnecting it, whoever dials, for
// as long as its score stays there. pubsub only ignores a graylisted
// peer's RPCs; it still costs a connection, the downlink its floods use,
// and parsing. A forger's score stays under the threshold for a long time
// (invalid messages decay over an hour, and pubsub keeps the score of a
// disconnected peer for relay's RetainScore), so a ban lasts about that
// long.
func (n *Node) banGraylisted() {
	n.host.Network().Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if n.Banned(c.RemotePeer()) {
				go c.Close() // not inline: the swarm holds locks here
			}
		},
	})
	n.wg.Go(func() {
		tick := time.NewTicker(relay.ScoreInspectPeriod)
		defer tick.Stop()
		for {
			select {
			case <-n.ctx.Done():
				return
			case <-tick.C:
			}
			banned := make(map[libp2ppeer.ID]struct{})
			for p, s := range n.monitor.Scores() {
				if s < relay.GraylistThreshold {
					banned[p] = struct{}{}
				}
			}
			n.banMu.Lock()
			n.banned = banned
			n.banMu.Unlock()
			for p := range banned {
				if n.host.Network().Connectedness(p) == network.Connected {
					n.host.Network().ClosePeer(p)
				}
			}
		}
	})
}

// Banned reports whether the node is refusing p for its score (see
// [WithBanGraylisted]).
func (n *Node) Banned(p libp2ppeer.ID) bool {
	n.banMu.Lock()
	defer n.banMu.Unlock()
	_, ok := n.banned[p]
	return ok
}

// BannedPeers returns the peers the node refuses for their score, sorted.
func (n *Node) BannedPeers() []libp2ppeer.ID {
	n.banMu.Lock()
	defer n.banMu.Unlock()
	return slices.Sorted(maps.Keys(n.banned))
}
