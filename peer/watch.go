package peer

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
)

// watchConnectedness calls onChange for each change in the host's
// connectedness to a peer, and onTick every period (never if period is 0),
// all from one goroutine the node owns, until the node closes. Both must
// return quickly: the event bus blocks its emitter on a full subscriber.
func (n *Node) watchConnectedness(period time.Duration, onChange func(event.EvtPeerConnectednessChanged), onTick func(time.Time)) error {
	sub, err := n.host.EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
	if err != nil {
		return fmt.Errorf("peer: watch connections: %w", err)
	}
	n.wg.Go(func() {
		defer sub.Close()
		var ticks <-chan time.Time
		if period > 0 {
			t := time.NewTicker(period)
			defer t.Stop()
			ticks = t.C
		}
		for {
			select {
			case <-n.ctx.Done():
				return
			case e, ok := <-sub.Out():
				if !ok {
					return
				}
				onChange(e.(event.EvtPeerConnectednessChanged))
			case now := <-ticks:
				onTick(now)
			}
		}
	})
	return nil
}
