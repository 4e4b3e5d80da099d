package peer

import (
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// forgetDeparted removes from the peerstore the keys, protocols and
// metadata of peers that have stayed disconnected for after. go-libp2p's
// in-memory peerstore keeps them for every peer the host has ever met (only
// AutoNAT removes any): with viewers coming and going for hours, that grew
// a swarm node's heap with every departure. Addresses are left to expire
// by their TTLs; peers protected in the connection manager are kept.
//
// The set of departed peers it tracks holds only peers that left within
// the last after, plus those seen since the last sweep.
func (n *Node) forgetDeparted(after time.Duration) error {
	departed := make(map[libp2ppeer.ID]time.Time) // the watcher's goroutine only
	return n.watchConnectedness(max(after/4, time.Millisecond), func(ev event.EvtPeerConnectednessChanged) {
		if ev.Connectedness == network.Connected || ev.Connectedness == network.Limited {
			delete(departed, ev.Peer)
		} else if _, seen := departed[ev.Peer]; !seen {
			departed[ev.Peer] = time.Now()
		}
	}, func(now time.Time) {
		for p, since := range departed {
			if now.Sub(since) < after {
				continue
			}
			delete(departed, p)
			if n.host.Network().Connectedness(p) == network.Connected || n.host.ConnManager().IsProtected(p, "") {
				continue
			}
			n.host.Peerstore().RemovePeer(p)
		}
	})
}
