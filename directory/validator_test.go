package directory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gridcast/gridcast/internal/wire"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnnounceValidator(t *testing.T) {
	owner, stranger := idForTest(t, 1), idForTest(t, 2)
	at := func(d time.Duration) []byte {
		a := announcementForTest(t)
		a.Time = epoch.Add(d)
		return encodeForTest(t, a) // TTL 30 s
	}

	// The cases run in order against one validator: the stale ones depend
	// on what was accepted before them.
	clk := &clock{t: epoch.Add(time.Second)}
	v := newAnnounceValidator(clk.now)
	for _, tc := range []struct {
		name   string
		author peer.ID
		data   []byte
		want   pubsub.ValidationResult
		reason error
	}{
		{"the owner's announcement", owner, at(0), pubsub.ValidationAccept, nil},
		{"a stranger announces the owner's channel", stranger, at(2 * time.Second), pubsub.ValidationReject, ErrNotOwner},
		{"unsigned", "", at(2 * time.Second), pubsub.ValidationReject, ErrNotOwner},
		{"garbage", owner, []byte("{"), pubsub.ValidationReject, ErrMalformed},
		{"oversized", owner, make([]byte, MaxAnnouncementSize+1), pubsub.ValidationReject, ErrOversized},
		{"a newer version", owner, []byte(`{"v":2,"anything":"new"}`), pubsub.ValidationIgnore, ErrUnknownVersion},
		{"expired", owner, at(-time.Minute), pubsub.ValidationIgnore, ErrExpired},
		{"lapses right now", owner, at(-29 * time.Second), pubsub.ValidationIgnore, ErrExpired},
		{"from the future", owner, at(MaxClockSkew + 2*time.Second), pubsub.ValidationIgnore, ErrFuture},
		{"older than the accepted one", owner, at(-time.Second), pubsub.ValidationIgnore, ErrStale},
		{"too soon after it", owner, at(MinInterval / 4), pubsub.ValidationIgnore, ErrStale},
		{"the next one", owner, at(MinInterval), pubsub.ValidationAccept, nil},
		{"a little ahead of the clock", owner, at(MaxClockSkew), pubsub.ValidationAccept, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, reason := v.check(tc.author, tc.data)
			assert.Equal(t, tc.want, res)
			if tc.reason != nil {
				assert.ErrorIs(t, reason, tc.reason)
			} else {
				assert.NoError(t, reason)
			}
		})
	}
}

func TestAnnounceValidatorForgetsLapsedChannels(t *testing.T) {
	owner := idForTest(t, 1)
	clk := &clock{t: epoch}
	v := newAnnounceValidator(clk.now)
	a := announcementForTest(t)
	_, res, _ := v.check(owner, encodeForTest(t, a))
	require.Equal(t, pubsub.ValidationAccept, res)

	// A restarted broadcaster whose clock went back 10 s: ignored while
	// its previous announcement stands, accepted once that lapsed.
	a.Time = epoch.Add(20 * time.Second)
	clk.t = epoch.Add(25 * time.Second)
	_, res, _ = v.check(owner, encodeForTest(t, a))
	require.Equal(t, pubsub.ValidationAccept, res)
	a.Time = epoch.Add(10 * time.Second)
	clk.t = epoch.Add(26 * time.Second)
	_, res, _ = v.check(owner, encodeForTest(t, a))
	assert.Equal(t, pubsub.ValidationIgnore, res)
	clk.t = epoch.Add(time.Minute)
	a.Time = epoch.Add(55 * time.Second)
	_, res, _ = v.check(owner, encodeForTest(t, a))
	assert.Equal(t, pubsub.ValidationAccept, res)
}

func TestValidateHandsOverTheDecodedMessage(t *testing.T) {
	owner := idForTest(t, 1)
	clk := &clock{t: epoch}
	av := newAnnounceValidator(clk.now)
	msg := message(owner, encodeForTest(t, announcementForTest(t)))
	require.Equal(t, pubsub.ValidationAccept, wire.Validator(av.check)(context.Background(), owner, msg))
	a, ok := msg.ValidatorData.(Announcement)
	require.True(t, ok)
	assert.Equal(t, "Évening show <live>", a.Title)

	ch := channelForTest(t, 1, "live")
	bv := newBeatValidator(ch, DefaultPeriod, clk.now)
	msg = message(idForTest(t, 3), beatForTest(t, Beat{Channel: ch, Scale: 4, Time: epoch}))
	require.Equal(t, pubsub.ValidationAccept, wire.Validator(bv.check)(context.Background(), owner, msg))
	b, ok := msg.ValidatorData.(Beat)
	require.True(t, ok)
	assert.Equal(t, 4, b.Scale)
}

func TestBeatValidator(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	viewer, other := idForTest(t, 3), idForTest(t, 4)
	beat := func(d time.Duration) []byte {
		return beatForTest(t, Beat{Channel: ch, Scale: 2, Time: epoch.Add(d)})
	}
	clk := &clock{t: epoch}
	v := newBeatValidator(ch, 30*time.Second, clk.now)
	for _, tc := range []struct {
		name    string
		advance time.Duration
		author  peer.ID
		data    []byte
		want    pubsub.ValidationResult
		reason  error
	}{
		{"a viewer's beat", 0, viewer, beat(0), pubsub.ValidationAccept, nil},
		{"unsigned", 0, "", beat(0), pubsub.ValidationReject, ErrMalformed},
		{"another channel's beat", 0, other, beatForTest(t, Beat{Channel: channelForTest(t, 2, "live"), Scale: 1, Time: epoch}), pubsub.ValidationReject, ErrWrongChannel},
		{"oversized", 0, other, append(beat(0), make([]byte, MaxBeatSize)...), pubsub.ValidationReject, ErrOversized},
		{"truncated", 0, other, beat(0)[:10], pubsub.ValidationReject, ErrMalformed},
		{"a newer version", 0, other, append([]byte{2}, beat(0)[1:]...), pubsub.ValidationIgnore, ErrUnknownVersion},
		{"from the future", 0, other, beat(MaxClockSkew + time.Second), pubsub.ValidationIgnore, ErrFuture},
		{"too old", 0, other, beat(-MaxClockSkew - time.Second), pubsub.ValidationIgnore, ErrExpired},
		{"the viewer again, too soon", 14 * time.Second, viewer, beat(14 * time.Second), pubsub.ValidationIgnore, ErrStale},
		{"the viewer after half a period", time.Second, viewer, beat(15 * time.Second), pubsub.ValidationAccept, nil},
		{"another viewer meanwhile", 0, other, beat(15 * time.Second), pubsub.ValidationAccept, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk.t = clk.t.Add(tc.advance)
			_, res, reason := v.check(tc.author, tc.data)
			assert.Equal(t, tc.want, res)
			if tc.reason != nil {
				assert.ErrorIs(t, reason, tc.reason)
			} else {
				assert.NoError(t, reason)
			}
		})
	}
}

func TestValidatorTablesAreBounded(t *testing.T) {
	clk := &clock{t: epoch}
	ch := channelForTest(t, 1, "live")
	v := newBeatValidator(ch, 30*time.Second, clk.now)
	data := beatForTest(t, Beat{Channel: ch, Scale: 1, Time: epoch})
	for i := range trackedAuthors + 10 {
		_, res, _ := v.check(peer.ID(fmt.Sprint("viewer-", i)), data)
		require.Equal(t, pubsub.ValidationAccept, res)
	}
	assert.Equal(t, trackedAuthors, v.last.Len())
}
