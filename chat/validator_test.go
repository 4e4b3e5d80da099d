package chat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gridcast/gridcast/internal/wire"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func message(from peer.ID, data []byte) *pubsub.Message {
	return &pubsub.Message{Message: &pb.Message{From: []byte(from), Data: data}}
}

func TestValidator(t *testing.T) {
	l := lineForTest(t)
	sender, stranger := l.From, idForTest(t, 3)
	at := func(d time.Duration) []byte {
		l := lineForTest(t)
		l.Time = epoch.Add(d)
		return encodeForTest(t, l)
	}
	clk := &clock{t: epoch}
	v := newValidator(l.Channel, DefaultMaxSenders, clk.now)
	for _, tc := range []struct {
		name   string
		signer peer.ID
		data   []byte
		want   pubsub.ValidationResult
		reason error
	}{
		{"the sender's line", sender, at(0), pubsub.ValidationAccept, nil},
		{"signed by someone else", stranger, at(0), pubsub.ValidationReject, ErrForged},
		{"unsigned", "", at(0), pubsub.ValidationReject, ErrForged},
		{"garbage", sender, []byte("{"), pubsub.ValidationReject, ErrMalformed},
		{"oversized", sender, make([]byte, MaxLineSize+1), pubsub.ValidationReject, ErrOversized},
		{"too long a text", sender, []byte(strings.Replace(string(at(0)), "hello", strings.Repeat("h", MaxTextLen), 1)), pubsub.ValidationReject, ErrTooLong},
		{"a newer version", sender, []byte(`{"v":2}`), pubsub.ValidationIgnore, ErrUnknownVersion},
		{"minutes old (a replay)", sender, at(-MaxClockSkew - time.Second), pubsub.ValidationIgnore, ErrStale},
		{"minutes ahead", sender, at(MaxClockSkew + time.Second), pubsub.ValidationIgnore, ErrStale},
		{"a minute ahead", sender, at(time.Minute), pubsub.ValidationAccept, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, reason := v.check(tc.signer, tc.data)
			assert.Equal(t, tc.want, res)
			if tc.reason != nil {
				assert.ErrorIs(t, reason, tc.reason)
			} else {
				assert.NoError(t, reason)
			}
		})
	}
}

// TestValidatorRateLimitsAFlood has one sender's 20 lines arrive at the
// same instant: RelayBurst pass and the rest are ignored, without penalty,
// until the bucket refills.
func TestValidatorRateLimitsAFlood(t *testing.T) {
	base := lineForTest(t)
	clk := &clock{t: epoch}
	v := newValidator(base.Channel, DefaultMaxSenders, clk.now)
	accepted := 0
	for i := range 20 {
		l := base
		l.Time = epoch.Add(time.Duration(i)) // distinct lines
		_, res, reason := v.check(l.From, encodeForTest(t, l))
		switch res {
		case pubsub.ValidationAccept:
			accepted++
		case pubsub.ValidationIgnore:
			assert.ErrorIs(t, reason, ErrRateLimited)
		default:
			t.Fatalf("line %d: %v", i, reason)
		}
	}
	assert.Equal(t, RelayBurst, accepted)

	other := lineForTest(t)
	other.From = idForTest(t, 4)
	_, res, _ := v.check(other.From, encodeForTest(t, other))
	assert.Equal(t, pubsub.ValidationAccept, res, "one sender's flood costs no one else")

	clk.t = epoch.Add(LineEvery)
	_, res, _ = v.check(base.From, encodeForTest(t, base))
	assert.Equal(t, pubsub.ValidationAccept, res, "a line a second later passes")
}

func TestValidateHandsOverTheLine(t *testing.T) {
	l := lineForTest(t)
	clk := &clock{t: epoch}
	v := newValidator(l.Channel, DefaultMaxSenders, clk.now)
	msg := message(l.From, encodeForTest(t, l))
	require.Equal(t, pubsub.ValidationAccept, wire.Validator(v.check)(context.Background(), l.From, msg))
	got, ok := msg.ValidatorData.(Line)
	require.True(t, ok)
	assert.Equal(t, l.Text, got.Text)
}
