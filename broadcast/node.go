package broadcast

import (
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
)

// Node is what publishing and viewing need from a running peer. The
// *peer.Node returned by peer.New implements it.
type Node interface {
	// Host is the libp2p host; its ID owns the channels it broadcasts.
	Host() host.Host
	// PubSub is the GossipSub router the chunks travel on.
	PubSub() *pubsub.PubSub
	// Monitor reports the router's mesh, duplicates and peer scores.
	Monitor() *relay.Monitor
	// Limiter enforces the upload cap and counts relay traffic.
	Limiter() *relay.Limiter
}
