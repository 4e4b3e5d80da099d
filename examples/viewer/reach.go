package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/peer"
)

// reach holds the flags that decide how the node finds peers and gets
// through NATs.
type reach struct {
	mdns, upnp, relayService bool
	dht                      peer.DHTMode
	relays                   []string
}

func (r *reach) register(fs *flag.FlagSet) {
	r.mdns, r.upnp, r.dht = true, true, peer.DHTAuto
	fs.BoolVar(&r.mdns, "mdns", true, "find peers on the local network by mDNS")
	fs.BoolVar(&r.upnp, "upnp", true, "ask the home router to forward a port (UPnP or NAT-PMP)")
	fs.Func("dht", "Kademlia DHT `mode`: auto (serve only when publicly reachable), client, server or off; finds the channel's other viewers by its ID", func(s string) error {
		m, err := peer.ParseDHTMode(s)
		r.dht = m
		return err
	})
	fs.Func("relay", "circuit relay `multiaddr` to reserve a slot on when behind a NAT (repeatable; default: relays found on the DHT)", func(s string) error {
		r.relays = append(r.relays, s)
		return nil
	})
	fs.BoolVar(&r.relayService, "relay-service", false, "when publicly reachable, relay for nodes behind NATs so they can hole-punch (within libp2p's volunteer limits)")
}

func (r reach) options() []peer.Option {
	opts := []peer.Option{
		peer.WithMDNS(r.mdns), peer.WithNATPortMap(r.upnp), peer.WithDHT(r.dht),
		peer.WithRelayService(r.relayService), peer.WithResourceLimits(peer.HomeLimits()),
	}
	if len(r.relays) > 0 {
		opts = append(opts, peer.WithRelays(r.relays...))
	}
	return opts
}

// newNode starts the node; if mDNS is the reason it cannot start (no
// interface can multicast), it starts without it and says so.
func newNode(ctx context.Context, r reach, opts []peer.Option, stderr io.Writer) (*peer.Node, error) {
	node, err := peer.New(ctx, append(opts, r.options()...)...)
	if err != nil && r.mdns {
		r.mdns = false
		if again, err2 := peer.New(ctx, append(opts, r.options()...)...); err2 == nil {
			fmt.Fprintf(stderr, "note: mDNS is off: %v\n", err)
			return again, nil
		}
	}
	return node, err
}
