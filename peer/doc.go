// Package peer builds the libp2p host a gridcast node runs on.
//
// [New] returns a [Node]: a libp2p host listening on TCP and QUIC, secured
// with Noise or TLS, multiplexed with yamux, kept within the limits of a
// home PC by a connection manager and a resource manager ([HomeLimits]),
// and the GossipSub router that relays the stream, configured by package
// relay from the node's upload budget. Every byte the router sends passes
// through relay's upload cap.
//
// Nodes find each other through bootstrap peers ([WithBootstrap]), mDNS on
// the LAN ([WithMDNS]), the Kademlia DHT ([WithDHT], [Node.Rendezvous]
// with a [ChannelKey]) and GossipSub's peer exchange, which tells a viewer
// turned away by a full mesh about other relays. Viewers behind NATs are
// reached through AutoNAT, UPnP ([WithNATPortMap]), circuit relays
// ([WithRelays], [WithRelayService]) and hole punching; [Node.ConnInfo]
// and [Node.Reachability] say how that went. nat.go explains when
// GossipSub can use a relayed connection.
//
// A peer that leaves without a goodbye (power or uplink gone) stays
// connected, and in the mesh, until QUIC's idle timeout; a Node pings any
// mesh peer that has been silent for [DefaultMeshSilence] (a source) or
// [DefaultViewerMeshSilence] (a viewer) and drops it
// if the ping goes unanswered ([WithMeshPing], liveness.go).
//
// The caller provides at most an identity (a key file, see
// [LoadOrCreateKey]), listen addresses, bootstrap peers ([ParseAddrs]) and
// the relay budget; every knob and its default is listed in options.go.
//
// A Node owns its host, its router, its DHT and its mDNS service:
// [Node.Close] stops them all and waits for the goroutines it started.
package peer
