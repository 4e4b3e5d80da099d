package main

import (
	"time"

	"github.com/libp2p/go-libp2p/core/host"
)

// preparedMember stands in for a viewer that has a host but has not dialled
// yet, so that viewers prepared after it can choose it as a peer.
type preparedMember struct{ p *pendingJoin }

func (m *preparedMember) leave(time.Time)     {}
func (m *preparedMember) recorder() *recorder { return newRecorder(time.Time{}) }
func (m *preparedMember) host() host.Host {
	if m.p.node != nil {
		return m.p.node.Host()
	}
	return m.p.cs
}
