package peer

import "errors"

var (
	// ErrBadAddr reports a multiaddr that does not parse or lacks /p2p/<id>.
	ErrBadAddr = errors.New("peer: bad peer address")
	// ErrBadKey reports a key file that cannot be used as an identity.
	ErrBadKey = errors.New("peer: bad key file")
	// ErrBadOption reports an option with an invalid value.
	ErrBadOption = errors.New("peer: bad option")
	// ErrNoBootstrap reports that no bootstrap peer could be reached.
	ErrNoBootstrap = errors.New("peer: no bootstrap peer reachable")
	// ErrNoDHT reports a call that needs the DHT on a node started with
	// DHTOff.
	ErrNoDHT = errors.New("peer: the DHT is off (see WithDHT)")
	// ErrBadAnnouncement reports a peer's uplink announcement that is not
	// one varint.
	ErrBadAnnouncement = errors.New("peer: bad uplink announcement")
	// ErrClosed reports a call on a node that has been closed.
	ErrClosed = errors.New("peer: node closed")
)
