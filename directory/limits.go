package directory

import (
	"math"
	"time"

	"github.com/gridcast/gridcast/broadcast"
)

// Topic is the one pubsub topic every announcement travels on.
const Topic = "/gridcast/1/directory"

const presencePrefix = "/gridcast/1/presence/"

// PresenceTopic returns the topic that carries ch's presence beats.
func PresenceTopic(ch broadcast.Channel) string { return presencePrefix + ch.ID() }

// Protocol limits, in one place. Every node enforces them in its topic
// validators, so they are part of the wire protocol: loosening one needs a
// new version.
const (
	// Version is the wire version of announcements and beats.
	Version = 1

	// MaxAnnouncementSize bounds an announcement's wire form, in bytes.
	// The largest announcement the other limits allow encodes to under
	// 600 bytes (TestLargestAnnouncementFits), so 1 KiB refuses nothing
	// valid while keeping the JSON decoder's work small.
	MaxAnnouncementSize = 1 << 10
	// MaxTitleLen bounds a title, in bytes of UTF-8.
	MaxTitleLen = 120
	// MaxFormatLen bounds the container format's name, in bytes.
	MaxFormatLen = 16
	// MinTTL and MaxTTL bound an announcement's lifetime. Below 5 s a
	// listing would flicker with every lost message; above 5 minutes a
	// crashed broadcaster would stay listed for too long.
	MinTTL = 5 * time.Second
	MaxTTL = 5 * time.Minute
	// MaxClockSkew is how far ahead of the receiver's clock an
	// announcement's or a beat's time may be.
	MaxClockSkew = time.Minute
	// MinInterval is the shortest re-announcement interval. Validators
	// ignore an announcement less than MinInterval/2 (by its Time) after
	// the previous accepted one of the same channel, which bounds what an
	// owner can spend of everyone's bandwidth; the half is slack for timer
	// jitter.
	MinInterval = time.Second
	// MaxViewers bounds the announced viewer estimate.
	MaxViewers = math.MaxInt32
	// MaxScale bounds the presence sampling scale S: 2^20 × BeatTarget is
	// far more viewers than one channel will have.
	MaxScale = 1 << 20

	// BeatTarget is how many presence beats per period the sampling aims
	// for, whatever the audience: the estimate's relative standard error
	// stays under 1/sqrt(BeatTarget) = 12.5% (see Estimator).
	BeatTarget = 64
	// MaxBeatSize bounds a beat's wire form, in bytes: the fixed 14 bytes
	// plus the longest channel ID.
	MaxBeatSize = beatFixedLen + broadcast.MaxIDLen
)
