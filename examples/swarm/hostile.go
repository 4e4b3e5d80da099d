package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/proto"
)

// Hostile behaviours (-hostile). Each hostile peer speaks GossipSub's wire
// protocol itself, with no router of its own, so it can send what no
// honest router would.
const (
	// HostileForgeOwn publishes chunks for the channel signed with its own
	// key, one per chunk interval.
	HostileForgeOwn = "forge-own-key"
	// HostileForgeCopy forwards every real chunk it receives at once,
	// payload changed and the owner's signature kept, racing the real one,
	// and grafts itself back into meshes every 10 s.
	HostileForgeCopy = "forge-copy"
	// HostileMalformed sends undecodable frames, frames over the size
	// limit and nonsense RPCs, reopening its stream each time it is reset.
	HostileMalformed = "malformed-rpc"
	// HostileFlood sends, every chunk interval, IHAVE for 1000 made-up
	// chunk IDs (each honest IWANT it draws is a broken promise) and IWANT
	// for every real chunk it heard of in the last few seconds (each
	// answer is a chunk of honest upload).
	HostileFlood = "ihave-iwant-flood"
	// HostileBlackHole grafts itself into meshes and forwards nothing. It
	// claims the largest relay capacity there is, to be fed by the source
	// first (peer.UplinkProtocol).
	HostileBlackHole = "black-hole"
)

var hostileKinds = []string{HostileForgeOwn, HostileForgeCopy, HostileMalformed, HostileFlood, HostileBlackHole}

const (
	// maxHostileRPC bounds what a hostile peer reads from one frame.
	maxHostileRPC = relay.MaxMessageSize + 64<<10
	// writeTimeout keeps a hostile peer from blocking on a peer that
	// stopped reading it.
	writeTimeout = 2 * time.Second
)

// hostilePeer is one attacker in a run.
type hostilePeer struct {
	kind    string
	h       host.Host
	key     crypto.PrivKey
	topic   string
	encoder *broadcast.Encoder
	every   time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	streams map[libp2ppeer.ID]network.Stream // outbound, one per honest peer
	realIDs []string                         // recent real chunk IDs, newest last

	grafts, prunes, sent, resets atomic.Uint64
	seq                          atomic.Uint64
}

func newHostilePeer(kind string, h host.Host, ch broadcast.Channel, every time.Duration, chunkSize int) (*hostilePeer, error) {
	enc, err := broadcast.NewEncoder(ch, max(chunkSize, broadcast.DefaultChunkSize))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	hp := &hostilePeer{
		kind: kind, h: h, key: h.Peerstore().PrivKey(h.ID()), topic: ch.Topic(), encoder: enc, every: every,
		ctx: ctx, cancel: cancel, streams: make(map[libp2ppeer.ID]network.Stream),
	}
	for _, proto := range pubsub.GossipSubDefaultProtocols {
		h.SetStreamHandler(proto, hp.readStream)
	}
	if kind == HostileBlackHole {
		claim := binary.AppendUvarint(nil, relay.MaxAnnouncedCopies)
		h.SetStreamHandler(peer.UplinkProtocol, func(s network.Stream) {
			s.Write(claim)
			s.Close()
		})
	}
	hp.wg.Go(hp.act)
	return hp, nil
}

// join dials peers and opens a GossipSub stream to each, announcing the
// channel and grafting.
func (hp *hostilePeer) join(ctx context.Context, peers []libp2ppeer.AddrInfo) {
	connectTo(ctx, hp.h, peers)
	for _, p := range peers {
		hp.open(p.ID)
	}
}

// open (re)opens the outbound stream to p with a subscription and a GRAFT.
func (hp *hostilePeer) open(p libp2ppeer.ID) network.Stream {
	ctx, cancel := context.WithTimeout(hp.ctx, 10*time.Second)
	defer cancel()
	s, err := hp.h.NewStream(ctx, p, pubsub.GossipSubDefaultProtocols...)
	if err != nil {
		return nil
	}
	topic, yes := hp.topic, true
	hello := &pb.RPC{
		Subscriptions: []*pb.RPC_SubOpts{{Subscribe: &yes, Topicid: &topic}},
		Control:       &pb.ControlMessage{Graft: []*pb.ControlGraft{{TopicID: &topic}}},
	}
	if writeRPC(s, hello) != nil {
		s.Reset()
		return nil
	}
	hp.mu.Lock()
	if old := hp.streams[p]; old != nil {
		old.Reset()
	}
	hp.streams[p] = s
	hp.mu.Unlock()
	return s
}

// readStream reads what an honest router sends: chunks (remembered, and
// forged at once by HostileForgeCopy), GRAFTs and PRUNEs (counted).
func (hp *hostilePeer) readStream(s network.Stream) {
	defer s.Reset()
	r := bufio.NewReader(s)
	for {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > maxHostileRPC {
			return
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		var rpc pb.RPC
		if proto.Unmarshal(buf, &rpc) != nil {
			return
		}
		ctl := rpc.GetControl()
		hp.grafts.Add(uint64(len(ctl.GetGraft())))
		hp.prunes.Add(uint64(len(ctl.GetPrune())))
		for _, m := range rpc.GetPublish() {
			hp.heard(m)
		}
	}
}

func (hp *hostilePeer) heard(m *pb.Message) {
	if m.GetTopic() != hp.topic {
		return
	}
	hp.mu.Lock()
	hp.realIDs = append(hp.realIDs, relay.MessageID(m))
	if len(hp.realIDs) > 64 {
		hp.realIDs = hp.realIDs[len(hp.realIDs)-64:]
	}
	hp.mu.Unlock()
	if hp.kind == HostileForgeCopy && len(m.GetData()) > 0 {
		forged := proto.CloneOf(m)
		forged.Data[len(forged.Data)-1] ^= 0xff // the payload's last byte
		hp.broadcast(&pb.RPC{Publish: []*pb.Message{forged}})
	}
}

// act runs the behaviour that needs no trigger, every chunk interval.
func (hp *hostilePeer) act() {
	tick := time.NewTicker(hp.every)
	defer tick.Stop()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for k := 0; ; k++ {
		select {
		case <-hp.ctx.Done():
			return
		case <-tick.C:
		}
		switch hp.kind {
		case HostileForgeOwn:
			if m := hp.forgeOwn(); m != nil {
				hp.broadcast(&pb.RPC{Publish: []*pb.Message{m}})
			}
		case HostileMalformed:
			hp.sendMalformed(k, rng)
		case HostileFlood:
			hp.broadcast(hp.flood(rng))
		case HostileBlackHole, HostileForgeCopy:
			// A GRAFT every 10 s brings it back after a PRUNE, as soon
			// as it dares (grafting in backoff is penalised): both need
			// to be in a mesh to do harm.
			if k%int(max(1, 10*time.Second/hp.every)) == 0 {
				topic := hp.topic
				hp.broadcast(&pb.RPC{Control: &pb.ControlMessage{Graft: []*pb.ControlGraft{{TopicID: &topic}}}})
			}
		}
	}
}

// forgeOwn builds a well-formed chunk of the channel, signed by the
// attacker's own key, whose payload is a record for a chunk index far
// ahead (a viewer that played it would count it as forged).
func (hp *hostilePeer) forgeOwn() *pb.Message {
	seq := hp.seq.Add(1)
	payload := make([]byte, minRecord+macSize)
	putRecord(payload, 1<<40+seq, time.Now())
	data, err := hp.encoder.AppendEncode(nil, &broadcast.Chunk{Channel: hp.encoder.Channel(),
		Seq: uint64(time.Now().UnixMilli()), Time: time.Now(), Flags: broadcast.FlagCleanStart | broadcast.FlagStreamStart, Payload: payload,
	})
	if err != nil {
		return nil
	}
	topic := hp.topic
	var seqno [8]byte
	binary.BigEndian.PutUint64(seqno[:], seq)
	m := &pb.Message{From: []byte(hp.h.ID()), Data: data, Seqno: seqno[:], Topic: &topic}
	raw, err := proto.Marshal(m)
	if err != nil {
		return nil
	}
	if m.Signature, err = hp.key.Sign(append([]byte(pubsub.SignPrefix), raw...)); err != nil {
		return nil
	}
	return m
}

// sendMalformed sends one of three kinds of bad frame to every peer.
func (hp *hostilePeer) sendMalformed(k int, rng *rand.Rand) {
	var frame []byte
	switch k % 3 {
	case 0: // not protobuf
		junk := make([]byte, 200)
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		frame = binary.AppendUvarint(nil, uint64(len(junk)))
		frame = append(frame, junk...)
	case 1: // a length far over the limit
		frame = binary.AppendUvarint(nil, 1<<30)
	case 2: // valid protobuf, nonsense content
		empty, other := "", "/no/such/topic"
		rpc := &pb.RPC{
			Publish: []*pb.Message{{Data: []byte("junk")}, {Topic: &empty, From: []byte{1, 2, 3}}},
			Control: &pb.ControlMessage{
				Graft: []*pb.ControlGraft{{TopicID: &other}},
				Prune: []*pb.ControlPrune{{TopicID: &other}},
			},
		}
		raw, _ := proto.Marshal(rpc)
		frame = binary.AppendUvarint(nil, uint64(len(raw)))
		frame = append(frame, raw...)
	}
	for p, s := range hp.snapshot() {
		s.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := s.Write(frame); err != nil || k%3 != 2 {
			// The honest router resets the stream on a bad frame:
			// open a fresh one for the next round.
			hp.resets.Add(1)
			hp.open(p)
		}
		hp.sent.Add(1)
	}
}

// flood builds an IHAVE of 1000 made-up IDs and an IWANT for every recent
// real chunk and 100 made-up ones.
func (hp *hostilePeer) flood(rng *rand.Rand) *pb.RPC {
	topic := hp.topic
	ids := make([]string, 1000)
	for i := range ids {
		var id [32]byte
		binary.LittleEndian.PutUint64(id[:], rng.Uint64())
		binary.LittleEndian.PutUint64(id[8:], rng.Uint64())
		ids[i] = string(id[:])
	}
	hp.mu.Lock()
	want := append([]string(nil), hp.realIDs...)
	hp.mu.Unlock()
	return &pb.RPC{Control: &pb.ControlMessage{
		Ihave: []*pb.ControlIHave{{TopicID: &topic, MessageIDs: ids}},
		Iwant: []*pb.ControlIWant{{MessageIDs: append(want, ids[:100]...)}},
	}}
}

// broadcast writes rpc to every peer, reopening streams that fail.
func (hp *hostilePeer) broadcast(rpc *pb.RPC) {
	for p, s := range hp.snapshot() {
		s.SetWriteDeadline(time.Now().Add(writeTimeout))
		if writeRPC(s, rpc) != nil {
			hp.resets.Add(1)
			hp.open(p)
			continue
		}
		hp.sent.Add(1)
	}
}

func (hp *hostilePeer) snapshot() map[libp2ppeer.ID]network.Stream {
	hp.mu.Lock()
	defer hp.mu.Unlock()
	out := make(map[libp2ppeer.ID]network.Stream, len(hp.streams))
	for p, s := range hp.streams {
		out[p] = s
	}
	return out
}

func (hp *hostilePeer) Close() {
	hp.cancel()
	hp.wg.Wait()
	hp.h.Close()
}

// writeRPC writes one length-delimited RPC, as pubsub frames them.
func writeRPC(w io.Writer, rpc *pb.RPC) error {
	raw, err := proto.Marshal(rpc)
	if err != nil {
		return err
	}
	frame := binary.AppendUvarint(make([]byte, 0, len(raw)+binary.MaxVarintLen64), uint64(len(raw)))
	_, err = w.Write(append(frame, raw...))
	return err
}
