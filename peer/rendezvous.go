package peer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/discovery"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// channelKeyPrefix versions the rendezvous namespace with the wire format.
const channelKeyPrefix = "gridcast/1/channel/"

// ChannelKey returns the rendezvous key of the channel with the given
// printable ID (broadcast.Channel.ID), for [Node.Rendezvous].
func ChannelKey(channelID string) string { return channelKeyPrefix + channelID }

// rendezvousPeers is the default number of found peers Rendezvous keeps
// connected: a full mesh and its gossip peers.
func rendezvousPeers(d relay.Degree) int { return max(d.Dhi+d.Dlazy, 1) }

// Rendezvous meets the other nodes using key, such as a [ChannelKey],
// through the DHT. It advertises the node under the key, again before the
// advertisement lapses ([DefaultAdvertiseTTL]), and looks the key up and
// connects to the peers it finds until it holds [WithRendezvousPeers] of
// them, then looks again every [DefaultRendezvousInterval] to replace those
// that left. Failed lookups and advertisements are retried from
// [RendezvousRetry], doubling up to the interval.
//
// It blocks until ctx ends, returning ctx's error, or the node closes,
// returning [ErrClosed]. Without a DHT it returns [ErrNoDHT] at once.
// Several calls with different keys may run at the same time.
func (n *Node) Rendezvous(ctx context.Context, key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty rendezvous key", ErrBadOption)
	}
	if n.dht == nil {
		return ErrNoDHT
	}
	if !n.track() {
		return ErrClosed
	}
	defer n.wg.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(n.ctx, cancel)
	defer stop()

	var wg sync.WaitGroup
	wg.Go(func() { n.advertise(ctx, key) })
	n.findPeers(ctx, key)
	wg.Wait()
	if n.ctx.Err() != nil {
		return ErrClosed
	}
	return ctx.Err()
}

// advertise keeps the node advertised under key until ctx ends. It does
// not use go-libp2p's discovery/util.Advertise, whose goroutine nobody can
// wait for and which retries a failure only after two minutes: on a fresh
// node the first attempt fails until the routing table fills.
func (n *Node) advertise(ctx context.Context, key string) {
	var backoff, wait time.Duration
	for {
		ttl, err := n.discovery.Advertise(ctx, key, discovery.TTL(DefaultAdvertiseTTL))
		if err == nil {
			backoff, wait = 0, 7*ttl/8
		} else {
			backoff = retryDelay(backoff, DefaultRendezvousInterval)
			wait = backoff
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// findPeers looks key up and connects to what it finds until ctx ends.
// It owns kept, the found peers it counts against the limit.
func (n *Node) findPeers(ctx context.Context, key string) {
	kept := make(map[libp2ppeer.ID]struct{})
	var backoff, wait time.Duration
	for {
		for p := range kept {
			if n.host.Network().Connectedness(p) == network.NotConnected {
				delete(kept, p)
			}
		}
		if len(kept) < n.rendezvousPeers {
			for _, p := range n.findOnce(ctx, key, n.rendezvousPeers-len(kept), kept) {
				kept[p] = struct{}{}
			}
		}
		if len(kept) >= n.rendezvousPeers {
			backoff, wait = 0, DefaultRendezvousInterval
		} else {
			backoff = retryDelay(backoff, DefaultRendezvousInterval)
			wait = backoff
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// findOnce runs one lookup and connects to at most want of the peers it
// finds that are not in skip, dialing them concurrently. It returns the
// peers it is connected to, already or now.
func (n *Node) findOnce(ctx context.Context, key string, want int, skip map[libp2ppeer.ID]struct{}) []libp2ppeer.ID {
	lookup, cancel := context.WithTimeout(ctx, DefaultFindTimeout)
	defer cancel()
	// One more than needed: the node finds itself once it has advertised.
	found, err := n.discovery.FindPeers(lookup, key, discovery.Limit(len(skip)+want+1))
	if err != nil {
		return nil
	}
	var (
		mu        sync.Mutex // guards connected and pending
		connected []libp2ppeer.ID
		pending   int // dials under way
		wg        sync.WaitGroup
	)
	for info := range found {
		if _, ok := skip[info.ID]; ok || info.ID == n.host.ID() {
			continue
		}
		mu.Lock()
		full := len(connected)+pending >= want
		if !full {
			pending++
		}
		mu.Unlock()
		if full {
			// Enough dials: end the lookup, which closes found.
			cancel()
			continue
		}
		wg.Go(func() {
			ok := n.dial(ctx, info)
			mu.Lock()
			pending--
			if ok {
				connected = append(connected, info.ID)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return connected
}

// dial connects to a found peer, asking the DHT for its addresses when the
// provider record came without any.
func (n *Node) dial(ctx context.Context, info libp2ppeer.AddrInfo) bool {
	if n.host.Network().Connectedness(info.ID) != network.NotConnected {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultDialTimeout)
	defer cancel()
	if len(info.Addrs) == 0 {
		var err error
		if info, err = n.dht.FindPeer(ctx, info.ID); err != nil {
			return false
		}
	}
	return n.host.Connect(ctx, info) == nil
}

// retryDelay is the backoff after a failure or a lookup that found too
// few: RendezvousRetry first, then doubling, at most ceiling.
func retryDelay(prev, ceiling time.Duration) time.Duration {
	if prev < RendezvousRetry {
		return min(RendezvousRetry, ceiling)
	}
	return min(2*prev, ceiling)
}

// sleep waits d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
