package relay

import (
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/encoding/protowire"
)

// LazyPush makes paced writes on GossipSub streams announce chunks with an
// IHAVE, instead of sending them, to a peer that had at least share of this
// node's recent offers from another peer first (Offers.Redundancy, once
// OfferMinSamples offers are recorded). Chunks the peer asked for by IWANT
// always go whole. share <= 0 or offers nil leaves LazyPush off; it needs
// SkipHeld, whose frame checks it rides on.
//
// This is Plumtree's lazy push, done on the write path without changing
// the protocol. In a mesh every relay forwards a chunk to all its mesh
// peers, so a peer fed by a faster relay still gets this node's copy
// whenever the two are sent within one round trip of each other: its
// IDONTWANT cannot arrive in time. Announced instead, the chunk costs the
// peer a round trip only if its faster feeder fails it; it then asks with
// IWANT and the answer goes out whole. Announcements count as offers like
// copies, so when a peer's faster feeder leaves, the peer stops telling
// this node IDONTWANT (pubsub tells no sender), its share falls, and it
// gets copies again.
//
// A node that answers no IWANT (a source; see SourceGossipRetransmission)
// must not use it.
func LazyPush(offers *Offers, share float64) LimiterOption {
	return func(l *Limiter) {
		if offers != nil && share > 0 {
			l.offers, l.lazyShare = offers, share
		}
	}
}

// LazyShare returns the share at which LazyPush serves a peer lazily, 0
// when it is off.
func (l *Limiter) LazyShare() float64 { return l.lazyShare }

// lazy reports whether chunks to p are announced rather than sent.
func (l *Limiter) lazy(p peer.ID) bool {
	share, samples := l.offers.Redundancy(p)
	return samples >= OfferMinSamples && share >= l.lazyShare
}

// announce records frame's chunks as offered to remote and, if remote is
// served lazily, replaces those it did not ask for with an IHAVE. It
// returns the frame to send and how many chunks it announced.
func (s *pacedStream) announce(frame []byte, remote peer.ID) ([]byte, int) {
	lazy := s.l.lazy(remote)
	out, n := announceFrame(frame, func(id [messageIDSize]byte) bool {
		return !s.l.offers.offerUnlessWanted(remote, id) && lazy
	})
	s.l.announced.Add(uint64(n))
	return out, n
}

// announceFrame returns frame with the messages for which announce returns
// true replaced by one IHAVE per topic, and how many it replaced; frame
// itself when it replaces none. A message without a topic is kept.
func announceFrame(frame []byte, announce func(id [messageIDSize]byte) bool) ([]byte, int) {
	var ids []topicID
	out, n := dropEncoded(frame, func(id [messageIDSize]byte, msg []byte) bool {
		if !announce(id) {
			return false
		}
		topic, ok := messageTopic(msg)
		if !ok {
			return false
		}
		ids = append(ids, topicID{topic, id})
		return true
	})
	if n == 0 {
		return frame, 0
	}
	return appendIHave(out, ids), n
}

// topicID is a chunk to announce.
type topicID struct {
	topic string
	id    [messageIDSize]byte
}

// Field numbers in pubsub's rpc.proto, for building an IHAVE.
const (
	rpcControlField    = 3 // RPC.control: ControlMessage
	msgTopicField      = 4 // Message.topic
	controlIHaveField  = 1 // ControlMessage.ihave: repeated ControlIHave
	ihaveTopicField    = 1 // ControlIHave.topicID
	ihaveMessageIDsFld = 2 // ControlIHave.messageIDs: repeated string
)

// appendIHave returns frame, one RPC or nil for an empty one, with a
// control field announcing ids added. A second control field is merged
// with any the RPC already has, as protobuf decoding does with a repeated
// message field, so piggybacked control is kept.
func appendIHave(frame []byte, ids []topicID) []byte {
	var body []byte
	if frame != nil {
		body, _ = frameBody(frame)
	}
	var ctl []byte
	for i, first := range ids {
		if seenTopic(ids[:i], first.topic) {
			continue
		}
		var ihave []byte
		ihave = protowire.AppendTag(ihave, ihaveTopicField, protowire.BytesType)
		ihave = protowire.AppendString(ihave, first.topic)
		for _, t := range ids[i:] {
			if t.topic == first.topic {
				ihave = protowire.AppendTag(ihave, ihaveMessageIDsFld, protowire.BytesType)
				ihave = protowire.AppendBytes(ihave, t.id[:])
			}
		}
		ctl = protowire.AppendTag(ctl, controlIHaveField, protowire.BytesType)
		ctl = protowire.AppendBytes(ctl, ihave)
	}
	size := len(body) + protowire.SizeTag(rpcControlField) + protowire.SizeBytes(len(ctl))
	out := protowire.AppendVarint(make([]byte, 0, protowire.SizeVarint(uint64(size))+size), uint64(size))
	out = append(out, body...)
	out = protowire.AppendTag(out, rpcControlField, protowire.BytesType)
	return protowire.AppendBytes(out, ctl)
}

func seenTopic(ids []topicID, topic string) bool {
	for _, t := range ids {
		if t.topic == topic {
			return true
		}
	}
	return false
}

// messageTopic returns a Message's topic field from its encoded bytes (the
// last one, if given twice, as protobuf decoding does).
func messageTopic(msg []byte) (string, bool) {
	var topic []byte
	found := false
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return "", false
		}
		msg = msg[n:]
		m := protowire.ConsumeFieldValue(num, typ, msg)
		if m < 0 {
			return "", false
		}
		if num == msgTopicField && typ == protowire.BytesType {
			topic, _ = protowire.ConsumeBytes(msg)
			found = true
		}
		msg = msg[m:]
	}
	return string(topic), found
}
