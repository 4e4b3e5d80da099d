package relay

import (
	"fmt"
	"math"
)

// Overhead is what relaying a stream costs on top of its payload, in percent
// of the stream's bitrate: the RPC framing, author, sequence number and
// signature on every chunk (about 1% of a 16 KiB chunk), the IDONTWANT,
// IHAVE and IWANT control traffic that goes with it, and the occasional
// IWANT repair. Copies charges each copy of a stream at
// bitrate × (100 + Overhead) / 100.
const Overhead = 10

// MaxDegree is the largest Dhi a budget buys, and the Copies of an unlimited
// budget. It is GossipSub's default Dhi: past it, more mesh peers add
// duplicates rather than reach.
const MaxDegree = 12

// MinDegree is the smallest D, Dlo and Dhi any budget gets, and the floor
// of a source's Dhi. pubsub's validate requires Dout < D/2 in integer
// division, which no Dout satisfies when D is 1, so a mesh of one peer
// cannot be configured. A viewer's Dhi has a higher floor, MinViewerDegree.
const MinDegree = 2

// Budget is what a node may spend on relaying.
//
// The zero Budget is unlimited. Named profiles (ADSL, Cable, Fibre) and
// Multiple return filled Budgets.
type Budget struct {
	// Upload is the most this node may send, in bytes per second, summed
	// over all its relay streams: the Limiter enforces it on stream payload,
	// so transport headers come on top (a few percent on QUIC and TCP).
	// 0 means unlimited. Must not be negative.
	Upload int64
}

// ADSL is a budget for an ADSL2+ line: 512 kbit/s, about half of the
// 0.8–1 Mbit/s such lines send, leaving the rest to the household. It
// carries one copy of a 300 kbit/s stream.
func ADSL() Budget { return Budget{Upload: 512_000 / 8} }

// Cable is a budget for a DOCSIS cable line: 2 Mbit/s of the 5–10 Mbit/s
// typical cable uplinks. It carries six copies of a 300 kbit/s stream.
func Cable() Budget { return Budget{Upload: 2_000_000 / 8} }

// Fibre is a budget for a fibre (FTTH) line: 10 Mbit/s of uplinks that are
// commonly 50 Mbit/s or more. It carries MaxDegree copies of a
// 300 kbit/s stream, and three copies of a 3 Mbit/s one.
func Fibre() Budget { return Budget{Upload: 10_000_000 / 8} }

// Multiple returns a budget of x times bitrate (bytes per second): x copies
// of the stream before Overhead. Since a zero Upload means unlimited, a
// non-positive or NaN x or bitrate gives a Budget whose Validate fails
// rather than an unlimited one. A product past math.MaxInt64 saturates.
func Multiple(bitrate int64, x float64) Budget {
	if bitrate <= 0 || !(x > 0) {
		return Budget{Upload: -1}
	}
	up := float64(bitrate) * x
	if up >= math.MaxInt64 {
		return Budget{Upload: math.MaxInt64}
	}
	return Budget{Upload: max(1, int64(math.Round(up)))}
}

// Validate reports whether b can be used. Errors wrap ErrBadBudget and name
// the field.
func (b Budget) Validate() error {
	if b.Upload < 0 {
		return fmt.Errorf("%w: Upload=%d must be >= 0 (0 = unlimited)", ErrBadBudget, b.Upload)
	}
	return nil
}

// Copies returns how many full copies of a stream of bitrate bytes per
// second b carries once each copy is charged Overhead, rounded down and at
// most MaxDegree. An unlimited budget, or a bitrate <= 0 (nothing to
// carry), gives MaxDegree; an invalid budget gives 0.
func (b Budget) Copies(bitrate int64) int {
	switch {
	case b.Upload < 0:
		return 0
	case b.Upload == 0 || bitrate <= 0:
		return MaxDegree
	}
	cost, ok := perCopy(bitrate)
	if !ok {
		return 0
	}
	return int(min(b.Upload/cost, MaxDegree))
}

// perCopy is bitrate plus Overhead, rounded up; false if that overflows,
// in which case no budget carries a copy.
func perCopy(bitrate int64) (int64, bool) {
	extra := bitrate/100*Overhead + (bitrate%100*Overhead+99)/100
	if bitrate > math.MaxInt64-extra {
		return 0, false
	}
	return bitrate + extra, true
}

// Oversubscribed reports whether the mesh Degree gives this role can ask for
// more copies than the budget carries: a source sends to up to Dhi peers, a
// viewer forwards to up to Dhi-1. It happens only where Dhi is held up by
// its floor: a source under two copies (MinDegree), a viewer under three
// (MinViewerDegree, so an ADSL viewer of a 300 kbit/s stream is
// oversubscribed). An unlimited budget never is. The Limiter still holds
// the cap; what gives is delivery, since pubsub drops chunks when a peer's
// queue fills and that peer must get them from another mesh peer or by
// gossip repair. Callers should warn the user.
func (b Budget) Oversubscribed(bitrate int64, role Role) bool {
	if b.Upload == 0 {
		return false
	}
	d := b.Degree(bitrate, role)
	sends := d.Dhi
	if role != RoleSource {
		sends--
	}
	return sends > b.Copies(bitrate)
}
