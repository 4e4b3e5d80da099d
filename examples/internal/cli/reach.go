// Package cli holds what the example programs share: the flags that decide
// how a node finds peers and gets through NATs, and the chat printer.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/peer"
)

// Reach holds the flags that decide how a program's node finds peers and
// gets through NATs.
type Reach struct {
	MDNS, UPnP, RelayService bool
	DHT                      peer.DHTMode
	Relays                   []string
}

// Register defines -mdns, -upnp, -dht, -relay and -relay-service on fs.
func (r *Reach) Register(fs *flag.FlagSet) {
	r.MDNS, r.UPnP, r.DHT = true, true, peer.DHTAuto
	fs.BoolVar(&r.MDNS, "mdns", true, "find peers on the local network by mDNS")
	fs.BoolVar(&r.UPnP, "upnp", true, "ask the home router to forward a port (UPnP or NAT-PMP)")
	fs.Func("dht", "Kademlia DHT `mode`: auto (serve only when publicly reachable), client, server or off; finds the channel's other viewers by its ID", func(s string) error {
		m, err := peer.ParseDHTMode(s)
		r.DHT = m
		return err
	})
	fs.Func("relay", "circuit relay `multiaddr` to reserve a slot on when behind a NAT (repeatable; default: relays found on the DHT)", func(s string) error {
		r.Relays = append(r.Relays, s)
		return nil
	})
	fs.BoolVar(&r.RelayService, "relay-service", false, "when publicly reachable, relay for nodes behind NATs so they can hole-punch (within libp2p's volunteer limits)")
}

// Options returns the peer options the flags ask for, with the home-PC
// resource limits.
func (r Reach) Options() []peer.Option {
	opts := []peer.Option{
		peer.WithMDNS(r.MDNS), peer.WithNATPortMap(r.UPnP), peer.WithDHT(r.DHT),
		peer.WithRelayService(r.RelayService), peer.WithResourceLimits(peer.HomeLimits()),
	}
	if len(r.Relays) > 0 {
		opts = append(opts, peer.WithRelays(r.Relays...))
	}
	return opts
}

// NewNode starts the node with opts and r's options; if mDNS is the
// reason it cannot start (no interface can multicast), it starts without
// it and says so on stderr.
func NewNode(ctx context.Context, r Reach, opts []peer.Option, stderr io.Writer) (*peer.Node, error) {
	node, err := peer.New(ctx, append(opts, r.Options()...)...)
	if err != nil && r.MDNS {
		r.MDNS = false
		if again, err2 := peer.New(ctx, append(opts, r.Options()...)...); err2 == nil {
			fmt.Fprintf(stderr, "note: mDNS is off: %v\n", err)
			return again, nil
		}
	}
	return node, err
}
