package peer

import (
	"time"

	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// A viewer that loses power or its uplink says no goodbye: its peers keep
// the connection, and GossipSub keeps it in their meshes, until QUIC's
// idle timeout (30 s) ends it. Meanwhile its neighbours count it towards
// their degree and graft no replacement, and whatever it was to pass on
// comes only by repair. So a node pings any mesh peer that has sent it
// nothing for the silence the node was given (WithMeshPing; by default
// 2 s on a source, whose few mesh peers carry everyone, and 1 s on a
// viewer), and closes
// the connection to one that does not answer within MeshPingTimeout;
// pubsub then drops it from the mesh and grafts another peer at its next
// heartbeat.
//
// Silence alone proves nothing: a peer this node feeds first has nothing
// to tell it (IDONTWANT goes to the peers that did not send the chunk),
// and a source hears nothing from anyone. The ping tells them apart, for
// about a hundred bytes each way a silence. It goes on the host itself,
// not the paced one, so a full upload queue does not make a live peer
// look dead.

// watchMesh pings silent mesh peers every silence/2 until the node
// closes.
func (n *Node) watchMesh(silence time.Duration) {
	pinging := make(map[libp2ppeer.ID]bool)
	done := make(chan libp2ppeer.ID)
	tick := time.NewTicker(max(silence/2, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-n.ctx.Done():
			for range pinging {
				<-done
			}
			return
		case p := <-done:
			delete(pinging, p)
		case now := <-tick.C:
			for _, p := range n.monitor.SilentMeshPeers(now.Add(-silence)) {
				if pinging[p] {
					continue
				}
				pinging[p] = true
				go func() {
					if n.pingOrDrop(p, MeshPingTimeout) {
						n.monitor.Heard(p, time.Now())
					} else {
						n.deadMeshPeers.Add(1)
					}
					done <- p
				}()
			}
		}
	}
}

// MeshPing returns how long a mesh peer may be silent before the node
// pings it, 0 when it does not (see [WithMeshPing]).
func (n *Node) MeshPing() time.Duration { return n.meshSilence }

// DeadMeshPeers returns how many mesh peers the node dropped because they
// stopped answering (see [WithMeshPing]).
func (n *Node) DeadMeshPeers() uint64 { return n.deadMeshPeers.Load() }
