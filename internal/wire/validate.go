package wire

import (
	"context"
	"errors"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Verdict is a topic validator's result for a message that failed to
// decode with err. A Reject counts as an invalid delivery against the
// forwarder, which relay's scoring penalises, so it is kept for what no
// honest node would forward: an unknown version is Ignored, so a newer
// format does not get its forwarders penalised by older nodes; any other
// error is Rejected. A nil err is Accepted.
func (e Errors) Verdict(err error) pubsub.ValidationResult {
	switch {
	case err == nil:
		return pubsub.ValidationAccept
	case errors.Is(err, e.UnknownVersion):
		return pubsub.ValidationIgnore
	default:
		return pubsub.ValidationReject
	}
}

// Validator adapts check to pubsub. check decides on one message, given
// its signer and data: it returns the decoded value, the result and,
// unless it accepts, why not. It runs concurrently in pubsub's validation
// workers, so it must lock what it shares.
//
// Validator passes check the message's signer (the author pubsub has
// verified, with StrictSign) and data, and hands an accepted message's
// decoded value over on ValidatorData, so subscribers do not decode
// twice. check's reason is dropped: pubsub has no place for it.
func Validator[T any](check func(signer peer.ID, data []byte) (T, pubsub.ValidationResult, error)) pubsub.ValidatorEx {
	return func(_ context.Context, _ peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		v, res, _ := check(msg.GetFrom(), msg.GetData())
		if res == pubsub.ValidationAccept {
			msg.ValidatorData = v
		}
		return res
	}
}
