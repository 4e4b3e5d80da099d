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

// failedMember is a viewer that could not join. It has no host: later
// viewers do not pick it as a peer.
type failedMember struct{ rec *recorder }

func (m *failedMember) leave(at time.Time) {
	m.rec.mu.Lock()
	m.rec.left = at
	m.rec.mu.Unlock()
}
func (m *failedMember) recorder() *recorder { return m.rec }
func (m *failedMember) host() host.Host     { return nil }
