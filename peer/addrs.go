package peer

import (
	"fmt"
	"strings"

	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// ParseAddrs parses peer multiaddrs of the form
// /ip4/1.2.3.4/tcp/4001/p2p/<peer ID>, merging addresses of the same peer.
// The error wraps [ErrBadAddr] and names the first bad value.
func ParseAddrs(addrs ...string) ([]libp2ppeer.AddrInfo, error) {
	var infos []libp2ppeer.AddrInfo
	index := make(map[libp2ppeer.ID]int)
	for _, s := range addrs {
		info, err := ParseAddr(s)
		if err != nil {
			return nil, err
		}
		if i, ok := index[info.ID]; ok {
			infos[i].Addrs = append(infos[i].Addrs, info.Addrs...)
			continue
		}
		index[info.ID] = len(infos)
		infos = append(infos, info)
	}
	return infos, nil
}

// ParseAddr parses one peer multiaddr; see [ParseAddrs].
func ParseAddr(s string) (libp2ppeer.AddrInfo, error) {
	addr, err := parseMultiaddr(s, "address")
	if err != nil {
		return libp2ppeer.AddrInfo{}, err
	}
	info, err := libp2ppeer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return libp2ppeer.AddrInfo{}, fmt.Errorf("%w %q: it must end in /p2p/<peer ID> (%v)", ErrBadAddr, s, err)
	}
	return *info, nil
}

// ParseListenAddrs parses multiaddrs to listen on, such as
// /ip4/0.0.0.0/udp/4001/quic-v1. The error wraps [ErrBadAddr] and names the
// first bad value; a /p2p/ part is refused, since a node listens as itself.
func ParseListenAddrs(addrs ...string) ([]ma.Multiaddr, error) {
	out := make([]ma.Multiaddr, 0, len(addrs))
	for _, s := range addrs {
		addr, err := parseMultiaddr(s, "listen address")
		if err != nil {
			return nil, err
		}
		if _, err := addr.ValueForProtocol(ma.P_P2P); err == nil {
			return nil, fmt.Errorf("%w %q: a listen address has no /p2p/ part", ErrBadAddr, s)
		}
		out = append(out, addr)
	}
	return out, nil
}

// parseMultiaddr parses s, trimmed; what names it in the empty case.
func parseMultiaddr(s, what string) (ma.Multiaddr, error) {
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return nil, fmt.Errorf("%w: empty %s", ErrBadAddr, what)
	}
	addr, err := ma.NewMultiaddr(trimmed)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadAddr, s, err)
	}
	return addr, nil
}
