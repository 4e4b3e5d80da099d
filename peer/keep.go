package peer

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	ma "github.com/multiformats/go-multiaddr"
)

// keepTag protects kept peers from the connection manager.
const keepTag = "gridcast-keep"

// keep holds a connection to each bootstrap peer until the node closes:
// one goroutine per peer, woken by the node's connectedness watcher when
// the node's connectedness to that peer changes.
func (n *Node) keep(peers []libp2ppeer.AddrInfo) {
	wake := make(map[libp2ppeer.ID]chan struct{})
	for _, info := range peers {
		if info.ID != n.host.ID() && wake[info.ID] == nil {
			wake[info.ID] = make(chan struct{}, 1)
		}
	}
	err := n.watchConnectedness(0, func(ev event.EvtPeerConnectednessChanged) {
		if w := wake[ev.Peer]; w != nil {
			select {
			case w <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}, nil)
	if err != nil {
		return // only fails once the bus is closed
	}
	started := make(map[libp2ppeer.ID]bool) // wake is the watcher's now: read only
	for _, info := range peers {
		w := wake[info.ID]
		if w == nil || started[info.ID] {
			continue
		}
		started[info.ID] = true
		n.host.ConnManager().Protect(info.ID, keepTag)
		n.wg.Go(func() { n.keepPeer(info, w) })
	}
}

// keepPeer redials info whenever the node is not connected to it, and pings
// it while it is: a broadcaster that was killed leaves its viewers holding
// connections that look open, and the ping finds out. wake fires when the
// node's connectedness to info changes.
func (n *Node) keepPeer(info libp2ppeer.AddrInfo, wake <-chan struct{}) {
	backoff := KeepRedialMin
	var lostAt time.Time
	for n.ctx.Err() == nil {
		if n.connected(info.ID) {
			backoff, lostAt = KeepRedialMin, time.Time{}
			if n.sleep(KeepPingInterval, wake) && n.connected(info.ID) {
				n.pingOrDrop(info.ID, KeepPingTimeout)
			}
			continue
		}
		if lostAt.IsZero() {
			lostAt = time.Now()
		}
		if !n.Banned(info.ID) && n.redial(info) == nil {
			continue
		}
		limit := KeepRedialMax
		if time.Since(lostAt) > KeepRedialPatience {
			limit = KeepRedialSlow
		}
		backoff = min(2*backoff, limit)
		// The peer may dial us meanwhile; a wake-up ends the wait.
		n.sleep(backoff, wake)
	}
}

func (n *Node) connected(p libp2ppeer.ID) bool {
	return n.host.Network().Connectedness(p) == network.Connected
}

// redial dials info, past the swarm's own dial backoff (which refuses
// redials for up to minutes after a failed dial) when it has a direct
// address.
func (n *Node) redial(info libp2ppeer.AddrInfo) error {
	ctx, cancel := context.WithTimeout(n.ctx, DefaultDialTimeout)
	defer cancel()
	for _, a := range info.Addrs {
		if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err != nil {
			ctx = network.WithForceDirectDial(ctx, "gridcast: keep bootstrap peer")
			break
		}
	}
	return n.host.Connect(ctx, info)
}

// pingOrDrop pings p once and closes every connection to it if no answer
// comes within timeout. It reports whether p answered; a node closing
// meanwhile closes nothing.
func (n *Node) pingOrDrop(p libp2ppeer.ID, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(n.ctx, timeout)
	defer cancel()
	// A relayed connection is limited; pinging over it is how it is kept.
	ctx = network.WithAllowLimitedConn(ctx, "gridcast: ping")
	res, ok := <-ping.Ping(ctx, n.host, p)
	if n.ctx.Err() != nil {
		return false
	}
	if !ok || res.Error != nil {
		n.host.Network().ClosePeer(p)
		return false
	}
	return true
}

// sleep waits d and returns true, or returns false early on a wake-up or
// when the node closes.
func (n *Node) sleep(d time.Duration, wake <-chan struct{}) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-wake:
		return false
	case <-n.ctx.Done():
		return false
	}
}
