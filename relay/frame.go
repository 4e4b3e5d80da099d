package relay

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// pubsub writes each RPC to a peer's stream in one Write: a uvarint length,
// then the RPC message. These helpers read such a frame without decoding
// it into structs, so a write can be checked against Held at the moment it
// goes out. Anything that is not exactly one well-formed frame is left as
// it is.

// Field numbers in pubsub's rpc.proto.
const (
	rpcPublishField = 2 // RPC.publish: repeated Message
	msgFromField    = 1 // Message.from
	msgDataField    = 2 // Message.data
)

// ControlBypass is the largest frame without chunks that a paced write
// sends at once, charging the bucket but not waiting: IDONTWANT, GRAFT,
// PRUNE and small IHAVEs. An IDONTWANT spares a copy only if it arrives
// before that copy is sent, so it must not queue behind the very chunks
// its sender is forwarding; a few hundred bytes ahead of the mesh's turn
// delay no chunk noticeably. The cap over any long window is unchanged:
// every byte is still taken from the bucket.
const ControlBypass = 512

// isGossipSub reports whether streams of protocol id carry pubsub frames.
func isGossipSub(id protocol.ID) bool { return strings.HasPrefix(string(id), "/meshsub/") }

// frameInfo describes a frame: whether it parsed as exactly one RPC, and
// how many messages it carries.
type frameInfo struct {
	ok       bool
	messages int
}

// inspectFrame reads frame's length prefix and top-level fields.
func inspectFrame(frame []byte) frameInfo {
	body, ok := frameBody(frame)
	if !ok {
		return frameInfo{}
	}
	info := frameInfo{ok: true}
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return frameInfo{}
		}
		m := protowire.ConsumeFieldValue(num, typ, body[n:])
		if m < 0 {
			return frameInfo{}
		}
		if num == rpcPublishField && typ == protowire.BytesType {
			info.messages++
		}
		body = body[n+m:]
	}
	return info
}

// frameBody returns the RPC bytes of a frame whose length prefix matches
// its size exactly.
func frameBody(frame []byte) ([]byte, bool) {
	size, n := protowire.ConsumeVarint(frame)
	if n < 0 || uint64(len(frame)-n) != size {
		return nil, false
	}
	return frame[n:], true
}

// dropMessages returns frame without the messages for which drop, given
// the message's ID (MessageID), returns true, and how many it dropped. If
// it drops none, or frame is not one well-formed RPC, it returns frame
// itself. A frame left with no field at all is returned as nil: an empty
// RPC tells the peer nothing, so the write can be skipped. frame is not
// modified.
func dropMessages(frame []byte, drop func(id [messageIDSize]byte) bool) ([]byte, int) {
	return dropEncoded(frame, func(id [messageIDSize]byte, _ []byte) bool { return drop(id) })
}

// dropEncoded is dropMessages with drop also given the Message's bytes.
func dropEncoded(frame []byte, drop func(id [messageIDSize]byte, msg []byte) bool) ([]byte, int) {
	body, ok := frameBody(frame)
	if !ok {
		return frame, 0
	}
	// Find what to drop first, so that a frame that keeps everything
	// costs no allocation and each message is hashed once.
	var spans [8][2]int // start, end of dropped fields in body
	drops := spans[:0]
	droppedBytes := 0
	for off := 0; off < len(body); {
		field, isMsg, msg, ok := nextField(body[off:])
		if !ok {
			return frame, 0
		}
		if isMsg {
			if id, ok := messageID(msg); ok && drop(id, msg) {
				drops = append(drops, [2]int{off, off + len(field)})
				droppedBytes += len(field)
			}
		}
		off += len(field)
	}
	if len(drops) == 0 {
		return frame, 0
	}
	size := len(body) - droppedBytes
	if size == 0 {
		return nil, len(drops)
	}
	out := protowire.AppendVarint(make([]byte, 0, protowire.SizeVarint(uint64(size))+size), uint64(size))
	off := 0
	for _, d := range drops {
		out = append(out, body[off:d[0]]...)
		off = d[1]
	}
	return append(out, body[off:]...), len(drops)
}

// nextField splits the first field off body: the whole field's bytes, and,
// for an RPC.publish entry, the Message's bytes.
func nextField(body []byte) (field []byte, isMsg bool, msg []byte, ok bool) {
	num, typ, n := protowire.ConsumeTag(body)
	if n < 0 {
		return nil, false, nil, false
	}
	if num == rpcPublishField && typ == protowire.BytesType {
		v, m := protowire.ConsumeBytes(body[n:])
		if m < 0 {
			return nil, false, nil, false
		}
		return body[:n+m], true, v, true
	}
	m := protowire.ConsumeFieldValue(num, typ, body[n:])
	if m < 0 {
		return nil, false, nil, false
	}
	return body[:n+m], false, nil, true
}

// messageID computes MessageID from a Message's encoded bytes: the SHA-256
// of its from field followed by its data field. A field given twice counts
// as its last value, as protobuf decoding does.
func messageID(msg []byte) ([messageIDSize]byte, bool) {
	var from, data []byte
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return [messageIDSize]byte{}, false
		}
		msg = msg[n:]
		if typ == protowire.BytesType && (num == msgFromField || num == msgDataField) {
			v, m := protowire.ConsumeBytes(msg)
			if m < 0 {
				return [messageIDSize]byte{}, false
			}
			if num == msgFromField {
				from = v
			} else {
				data = v
			}
			msg = msg[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, msg)
		if m < 0 {
			return [messageIDSize]byte{}, false
		}
		msg = msg[m:]
	}
	h := sha256.New()
	h.Write(from)
	h.Write(data)
	var id [messageIDSize]byte
	h.Sum(id[:0])
	return id, true
}

// maxControlFrame is the largest chunk-free frame dropWants decodes: an
// IWANT for MaxIHaveLength IDs is about 9 KiB.
const maxControlFrame = 16 << 10

// dropWants returns frame without the IWANT IDs for which asked returns
// true, and how many it dropped; frame itself when it drops none or is not
// a well-formed RPC of at most maxControlFrame bytes, and nil when nothing
// is left to send.
func dropWants(frame []byte, asked func(id string) bool) ([]byte, int) {
	if len(frame) > maxControlFrame {
		return frame, 0
	}
	body, ok := frameBody(frame)
	if !ok {
		return frame, 0
	}
	var rpc pb.RPC
	if proto.Unmarshal(body, &rpc) != nil || len(rpc.GetControl().GetIwant()) == 0 {
		return frame, 0
	}
	dropped := 0
	wants := rpc.Control.Iwant[:0]
	for _, w := range rpc.Control.Iwant {
		ids := w.MessageIDs[:0]
		for _, id := range w.MessageIDs {
			if asked(id) {
				dropped++
				continue
			}
			ids = append(ids, id)
		}
		if len(ids) > 0 {
			w.MessageIDs = ids
			wants = append(wants, w)
		}
	}
	if dropped == 0 {
		return frame, 0
	}
	rpc.Control.Iwant = wants
	if proto.Size(rpc.Control) == 0 {
		rpc.Control = nil
	}
	if proto.Size(&rpc) == 0 {
		return nil, dropped
	}
	out, ok := encodeFrame(&rpc)
	if !ok {
		return frame, 0
	}
	return out, dropped
}

// encodeFrame is rpc as pubsub writes it: a uvarint length, then the
// message. It reports false if rpc does not marshal.
func encodeFrame(rpc *pb.RPC) ([]byte, bool) {
	size := proto.Size(rpc)
	out, err := proto.MarshalOptions{}.MarshalAppend(protowire.AppendVarint(make([]byte, 0, size+binary.MaxVarintLen64), uint64(size)), rpc)
	return out, err == nil
}
