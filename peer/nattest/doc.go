// Package nattest holds a test of NAT traversal on real Linux networking;
// it has no code of its own.
//
// TestNATTraversal builds a small internet in network namespaces: a
// public broadcaster and a public relay on one bridge, and two home
// routers that masquerade (nftables) for a viewer each. Every node is the
// test binary run again inside its namespace (TestNATHelper), so each is
// a real process with real sockets behind a real NAT. The test checks
// that a viewer reachable only through the relay plays exactly the
// published bytes, and reports whether hole punching (DCUtR) turned the
// relayed connection into a direct one.
//
// It needs root (or CAP_NET_ADMIN), iproute2 and nftables, and skips,
// saying why, where it cannot create the namespaces. The namespaces are
// named gcnat<pid>-<run>-<role> and deleted when the test ends.
package nattest
