package directory

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/broadcast"
)

// Announcement says that a channel is live, and how to present it.
type Announcement struct {
	Channel broadcast.Channel
	// Title is at most MaxTitleLen bytes of UTF-8 without control
	// characters; it may be empty.
	Title string
	// Format names the container, such as "mpegts", "webm", "mp4" or
	// "raw": free text of at most MaxFormatLen bytes, for the player.
	Format string
	// Bitrate is the stream's bitrate in bits per second; 0 = unknown.
	Bitrate int64
	// Viewers is the owner's estimate of its audience, 0..MaxViewers.
	Viewers int
	// Scale is the presence sampling scale S, 1..MaxScale: each viewer
	// sends a presence beat per period with probability 1/Scale.
	Scale int
	// Started is when the broadcast began; the zero Time = unknown.
	Started time.Time
	// Time is when the announcement was made, by the owner's clock.
	Time time.Time
	// TTL is how long after Time the announcement stands, MinTTL..MaxTTL.
	TTL time.Duration
}

// Expires returns when the announcement lapses by the owner's clock.
func (a Announcement) Expires() time.Time { return a.Time.Add(a.TTL) }

// wireAnnouncement is version 1 of the wire form; see the package doc.
type wireAnnouncement struct {
	V       int    `json:"v"`
	Channel string `json:"channel"`
	Title   string `json:"title"`
	Format  string `json:"format"`
	Bitrate int64  `json:"bitrate"`
	Viewers int64  `json:"viewers"`
	Scale   int64  `json:"scale"`
	Started int64  `json:"started_ns"`
	Time    int64  `json:"time_ns"`
	TTL     int64  `json:"ttl_ms"`
}

// Encode returns the announcement's wire form, after checking it against
// every limit Decode enforces. TTL is sent in whole milliseconds; the rest
// is truncated. Errors wrap the sentinel Decode would return.
func (a Announcement) Encode() ([]byte, error) {
	w, err := a.wire()
	if err != nil {
		return nil, err
	}
	return wireErrors.EncodeJSON(w, MaxAnnouncementSize)
}

func (a Announcement) wire() (wireAnnouncement, error) {
	ttl := a.TTL.Truncate(time.Millisecond)
	w := wireAnnouncement{
		V: Version, Channel: a.Channel.ID(), Title: a.Title, Format: a.Format,
		Bitrate: a.Bitrate, Viewers: int64(a.Viewers), Scale: int64(a.Scale),
		TTL: ttl.Milliseconds(),
	}
	if err := a.Channel.Validate(); err != nil {
		return w, fmt.Errorf("%w: %w", ErrBadChannel, err)
	}
	var ok bool
	if w.Time, ok = unixNanos(a.Time); !ok || w.Time == 0 {
		return w, fmt.Errorf("%w: time %v cannot be sent", ErrBadValue, a.Time)
	}
	if !a.Started.IsZero() {
		if w.Started, ok = unixNanos(a.Started); !ok {
			return w, fmt.Errorf("%w: start time %v cannot be sent", ErrBadValue, a.Started)
		}
	}
	return w, w.check()
}

// unixNanos converts t to Unix nanoseconds, reporting false outside the
// years 1970 to 2262 that a non-negative int64 covers.
func unixNanos(t time.Time) (int64, bool) {
	if t.Before(time.Unix(0, 0)) || t.After(time.Unix(0, 1<<63-1)) {
		return 0, false
	}
	return t.UnixNano(), true
}

// Decode parses an announcement in wire form. It never panics, and reads
// nothing before checking the size against MaxAnnouncementSize.
//
// Errors, checked in this order, each wrapping its own sentinel:
//   - ErrOversized: more than MaxAnnouncementSize bytes.
//   - ErrMalformed: not valid UTF-8, or not a JSON object with a numeric
//     "v".
//   - ErrUnknownVersion: "v" is not Version.
//   - ErrMalformed: a field of the wrong type, an unknown field, or bytes
//     after the object.
//   - ErrBadChannel: the channel ID does not parse, or is not the form
//     Channel.ID prints.
//   - ErrBadText: the title or format breaks its limit.
//   - ErrBadTTL: the TTL is outside [MinTTL, MaxTTL].
//   - ErrBadValue: a negative bitrate, viewers outside 0..MaxViewers,
//     scale outside 1..MaxScale, a time not after 1970, or a start
//     after the time.
//
// Decode does not look at the clock; the topic validator does.
func Decode(data []byte) (Announcement, error) {
	var w wireAnnouncement
	if err := wireErrors.DecodeJSON(data, MaxAnnouncementSize, Version, &w); err != nil {
		return Announcement{}, err
	}
	return w.announcement()
}

func (w wireAnnouncement) announcement() (Announcement, error) {
	ch, err := broadcast.ParseChannel(w.Channel)
	if err != nil {
		return Announcement{}, fmt.Errorf("%w: %w", ErrBadChannel, err)
	}
	if ch.ID() != w.Channel {
		return Announcement{}, fmt.Errorf("%w: %q is not in canonical form %q", ErrBadChannel, w.Channel, ch.ID())
	}
	if err := w.check(); err != nil {
		return Announcement{}, err
	}
	a := Announcement{
		Channel: ch, Title: w.Title, Format: w.Format,
		Bitrate: w.Bitrate, Viewers: int(w.Viewers), Scale: int(w.Scale),
		Time: time.Unix(0, w.Time),
		TTL:  time.Duration(w.TTL) * time.Millisecond,
	}
	if w.Started != 0 {
		a.Started = time.Unix(0, w.Started)
	}
	return a, nil
}

// check applies every limit but the channel's, in Decode's order.
func (w wireAnnouncement) check() error {
	if err := wireErrors.CheckText("title", w.Title, MaxTitleLen); err != nil {
		return err
	}
	if err := wireErrors.CheckText("format", w.Format, MaxFormatLen); err != nil {
		return err
	}
	if w.TTL < MinTTL.Milliseconds() || w.TTL > MaxTTL.Milliseconds() {
		return fmt.Errorf("%w: %d ms, want %v to %v", ErrBadTTL, w.TTL, MinTTL, MaxTTL)
	}
	switch {
	case w.Bitrate < 0:
		return fmt.Errorf("%w: bitrate %d is negative", ErrBadValue, w.Bitrate)
	case w.Viewers < 0 || w.Viewers > MaxViewers:
		return fmt.Errorf("%w: viewers %d, want 0 to %d", ErrBadValue, w.Viewers, MaxViewers)
	case w.Scale < 1 || w.Scale > MaxScale:
		return fmt.Errorf("%w: scale %d, want 1 to %d", ErrBadValue, w.Scale, MaxScale)
	case w.Time <= 0:
		return fmt.Errorf("%w: time %d ns is not after 1970", ErrBadValue, w.Time)
	case w.Started < 0 || w.Started > w.Time:
		return fmt.Errorf("%w: start %d ns is not between 1970 and the time %d ns", ErrBadValue, w.Started, w.Time)
	}
	return nil
}
