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
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return libp2ppeer.AddrInfo{}, fmt.Errorf("%w: empty address", ErrBadAddr)
	}
	addr, err := ma.NewMultiaddr(trimmed)
	if err != nil {
		return libp2ppeer.AddrInfo{}, fmt.Errorf("%w %q: %v", ErrBadAddr, s, err)
	}
	info, err := libp2ppeer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return libp2ppeer.AddrInfo{}, fmt.Errorf("%w %q: it must end in /p2p/<peer ID> (%v)", ErrBadAddr, s, err)
	}
	return *info, nil
}
