// Package peer builds the libp2p host a gridcast node runs on.
//
// [New] returns a [Node]: a libp2p host listening on TCP and QUIC, secured
// with Noise or TLS, multiplexed with yamux, kept within the connection
// limits of a home PC by a connection manager, and the GossipSub router
// that relays the stream, configured by package relay from the node's
// upload budget. Every byte the router sends passes through relay's upload
// cap.
//
// The caller provides at most an identity (a key file, see
// [LoadOrCreateKey]), listen addresses, bootstrap peers ([ParseAddrs]) and
// the relay budget; every knob and its default is listed in options.go.
//
// A Node owns its host and its router: [Node.Close] stops both.
package peer
