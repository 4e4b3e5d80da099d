package wire

import (
	"context"
	"errors"
	"fmt"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerdict(t *testing.T) {
	assert.Equal(t, pubsub.ValidationAccept, testErrors.Verdict(nil))
	assert.Equal(t, pubsub.ValidationIgnore, testErrors.Verdict(fmt.Errorf("%w: version 2, want 1", errUnknownVersion)),
		"a newer version is skipped, its forwarder not penalised")
	assert.Equal(t, pubsub.ValidationReject, testErrors.Verdict(fmt.Errorf("%w: bad JSON", errMalformed)))
	assert.Equal(t, pubsub.ValidationReject, testErrors.Verdict(errors.New("any other error")))
}

func TestValidator(t *testing.T) {
	signer := peer.ID("signer")
	var gotSigner peer.ID
	var gotData []byte
	results := map[string]pubsub.ValidationResult{
		"accept": pubsub.ValidationAccept,
		"ignore": pubsub.ValidationIgnore,
		"reject": pubsub.ValidationReject,
	}
	validate := Validator(func(from peer.ID, data []byte) (string, pubsub.ValidationResult, error) {
		gotSigner, gotData = from, data
		res := results[string(data)]
		if res != pubsub.ValidationAccept {
			return "", res, errors.New("no")
		}
		return "decoded " + string(data), res, nil
	})
	for data, want := range results {
		t.Run(data, func(t *testing.T) {
			msg := &pubsub.Message{Message: &pb.Message{From: []byte(signer), Data: []byte(data)}}
			require.Equal(t, want, validate(context.Background(), "forwarder", msg))
			assert.Equal(t, signer, gotSigner, "the check gets the signer, not the forwarder")
			assert.Equal(t, data, string(gotData))
			if want == pubsub.ValidationAccept {
				assert.Equal(t, "decoded accept", msg.ValidatorData, "an accepted value rides on ValidatorData")
			} else {
				assert.Nil(t, msg.ValidatorData)
			}
		})
	}
}
