package main

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/gridcast/gridcast/peer"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/x/simlibp2p"
	"github.com/marcopolo/simnet"
)

// simNetwork is the simulated internet of one run: QUIC over packet links,
// each node with its own uplink and downlink, and a fixed latency per pair
// of nodes drawn from the workload's range.
type simNetwork struct {
	net      *simnet.Simnet
	workload Workload
	keys     *rand.ChaCha8 // identities, so a seed gives the same peer IDs
	next     int           // index of the next node's address
	severed  sync.Map      // ipKey → struct{}: nodes cut off (see sever)
	ips      sync.Map      // peer ID → ipKey of every host, for sever and linkLatency
}

// severedDelay is how late a packet from a severed node arrives: never,
// within any run. Only its goodbyes are held this long, a few per
// connection.
const severedDelay = 24 * time.Hour

// sever cuts h off the network: from now on nothing it sends arrives, so
// when it then closes, its goodbyes (pubsub's
// unsubscribe and PRUNEs, QUIC's CONNECTION_CLOSE) are lost too, as when a
// viewer's power or uplink goes. Its peers find out only by their own
// timeouts.
func (n *simNetwork) sever(h host.Host) {
	if key, ok := n.ips.Load(h.ID()); ok {
		n.severed.Store(key, struct{}{})
	}
}

func newSimNetwork(w Workload) *simNetwork {
	n := &simNetwork{workload: w}
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], w.Seed)
	n.keys = rand.NewChaCha8(seed)
	n.net = &simnet.Simnet{LatencyFunc: n.latency}
	n.net.Start()
	return n
}

// latency is one-way and symmetric: the same for every packet between two
// nodes, so a pair of nodes is a link of fixed length.
func (n *simNetwork) latency(p *simnet.Packet) time.Duration {
	// Packets to a severed node need no help: it closes at once, and a
	// closed endpoint drops what arrives.
	if _, gone := n.severed.Load(ipKey(p.From)); gone {
		return severedDelay
	}
	return n.pairLatency(ipKey(p.From), ipKey(p.To))
}

// linkLatency is the one-way latency between two hosts of this network;
// false if either is not one.
func (n *simNetwork) linkLatency(x, y libp2ppeer.ID) (time.Duration, bool) {
	a, ok := n.ips.Load(x)
	if !ok {
		return 0, false
	}
	b, ok := n.ips.Load(y)
	if !ok {
		return 0, false
	}
	return n.pairLatency(a.(uint64), b.(uint64)), true
}

func (n *simNetwork) pairLatency(a, b uint64) time.Duration {
	span := n.workload.LatencyMax - n.workload.LatencyMin
	if span <= 0 {
		return n.workload.LatencyMin
	}
	if a > b {
		a, b = b, a
	}
	h := fnv.New64a()
	var buf [24]byte
	binary.LittleEndian.PutUint64(buf[0:], a)
	binary.LittleEndian.PutUint64(buf[8:], b)
	binary.LittleEndian.PutUint64(buf[16:], n.workload.Seed)
	h.Write(buf[:])
	return n.workload.LatencyMin + time.Duration(h.Sum64()%uint64(span+1))
}

func ipKey(a net.Addr) uint64 {
	if u, ok := a.(*net.UDPAddr); ok {
		if ip4 := u.IP.To4(); ip4 != nil {
			return uint64(binary.BigEndian.Uint32(ip4))
		}
	}
	return 0
}

// newHost starts a host with the given uplink and downlink in bytes/s.
func (n *simNetwork) newHost(uplink, downlink int64) (host.Host, error) {
	key, _, err := crypto.GenerateEd25519Key(n.keys)
	if err != nil {
		return nil, err
	}
	// The same connection limits as a node peer.New builds: without them
	// peer exchange and churn grow every viewer's connections without end.
	cm, err := connmgr.NewConnManager(peer.DefaultConnLow, peer.DefaultConnHigh, connmgr.WithGracePeriod(peer.DefaultConnGrace))
	if err != nil {
		return nil, err
	}
	ip := simnet.IntToPublicIPv4(n.next)
	n.next++
	links := simnet.NodeBiDiLinkSettings{
		Uplink:   simnet.LinkSettings{BitsPerSecond: int(uplink * 8), MTU: 1500},
		Downlink: simnet.LinkSettings{BitsPerSecond: int(downlink * 8), MTU: 1500},
	}
	h, err := libp2p.New(
		libp2p.Identity(key),
		libp2p.ListenAddrStrings(fmt.Sprintf("/ip4/%s/udp/8000/quic-v1", ip)),
		simlibp2p.QUICSimnet(n.net, links),
		// Identify's address discovery stalls virtual time (go-libp2p's
		// own simulations disable it too); addresses here are static.
		libp2p.DisableIdentifyAddressDiscovery(),
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.DisableMetrics(),
		libp2p.ConnectionManager(cm),
	)
	if err != nil {
		return nil, fmt.Errorf("start simulated host: %w", err)
	}
	n.ips.Store(h.ID(), ipKey(&net.UDPAddr{IP: ip}))
	return h, nil
}

func (n *simNetwork) Close() { n.net.Close() }
