package chat

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Line is one chat message.
type Line struct {
	Channel broadcast.Channel
	// From is the sender; validators require it to be the message's
	// signer, so it cannot be forged.
	From peer.ID
	// Nick is the sender's chosen name, at most MaxNickLen bytes; it may
	// be empty, and nothing stops two senders choosing the same one.
	Nick string
	// Text is 1..MaxTextLen bytes of UTF-8 without control characters.
	Text string
	// Time is when the line was sent, by the sender's clock.
	Time time.Time
}

// String formats the line for a terminal as "15:04:05 <name>: text": the
// time in the local zone, and as name the nick or, when there is none,
// "…" and the last 6 characters of the sender's peer ID (a nick is the
// sender's free choice, so two lines with the same name may come from
// different senders). A line Decode returned holds no control
// characters, so the result is one line that cannot steer a terminal.
func (l Line) String() string {
	name := l.Nick
	if name == "" {
		id := l.From.String()
		name = "…" + id[max(len(id)-6, 0):]
	}
	return fmt.Sprintf("%s <%s>: %s", l.Time.Local().Format(time.TimeOnly), name, l.Text)
}

// wireLine is version 1 of the wire form; see the package doc.
type wireLine struct {
	V       int    `json:"v"`
	Channel string `json:"channel"`
	From    string `json:"from"`
	Nick    string `json:"nick"`
	Text    string `json:"text"`
	Time    int64  `json:"time_ns"`
}

// Encode returns the line's wire form, after checking it against every
// limit Decode enforces. Errors wrap the sentinel Decode would return (or
// broadcast.ErrBadChannelID for an invalid channel).
func (l Line) Encode() ([]byte, error) {
	if err := l.Channel.Validate(); err != nil {
		return nil, fmt.Errorf("chat: encode: %w", err)
	}
	if l.Time.Before(time.Unix(0, 1)) || l.Time.After(time.Unix(0, 1<<63-1)) {
		return nil, fmt.Errorf("%w: time %v cannot be sent", ErrMalformed, l.Time)
	}
	w := wireLine{V: Version, Channel: l.Channel.ID(), From: l.From.String(), Nick: l.Nick, Text: l.Text, Time: l.Time.UnixNano()}
	if _, err := parseFrom(w.From); err != nil {
		return nil, err
	}
	if err := w.check(); err != nil {
		return nil, err
	}
	return wireErrors.EncodeJSON(w, MaxLineSize)
}

// Decode parses a line of ch's chat in wire form. It never panics, and
// reads nothing before checking the size against MaxLineSize.
//
// Errors, checked in this order, each wrapping its own sentinel:
//   - ErrOversized: more than MaxLineSize bytes.
//   - ErrMalformed: not valid UTF-8, or not a JSON object with a numeric
//     "v".
//   - ErrUnknownVersion: "v" is not Version.
//   - ErrMalformed: a field of the wrong type, an unknown field, or bytes
//     after the object.
//   - ErrWrongChannel: the channel is not ch (as ch.ID prints it).
//   - ErrBadFrom: the sender is empty, longer than MaxFromLen, not a peer
//     ID, or not in the form peer.ID.String prints.
//   - ErrTooLong, ErrBadText: the nick, then the text, breaks its limits;
//     an empty text is ErrBadText.
//   - ErrMalformed: the time is not after 1970.
//
// Decode does not look at the clock or the signer; the validator does.
func Decode(data []byte, ch broadcast.Channel) (Line, error) {
	return decode(data, ch, ch.ID())
}

// decode is Decode with ch's ID formatted once by the caller.
func decode(data []byte, ch broadcast.Channel, id string) (Line, error) {
	var w wireLine
	if err := wireErrors.DecodeJSON(data, MaxLineSize, Version, &w); err != nil {
		return Line{}, err
	}
	if w.Channel != id {
		return Line{}, fmt.Errorf("%w: line is for %q, want %q", ErrWrongChannel, w.Channel, id)
	}
	from, err := parseFrom(w.From)
	if err != nil {
		return Line{}, err
	}
	if err := w.check(); err != nil {
		return Line{}, err
	}
	return Line{Channel: ch, From: from, Nick: w.Nick, Text: w.Text, Time: time.Unix(0, w.Time)}, nil
}

func parseFrom(s string) (peer.ID, error) {
	if s == "" || len(s) > MaxFromLen {
		return "", fmt.Errorf("%w: sender %q, want 1 to %d bytes", ErrBadFrom, s, MaxFromLen)
	}
	id, err := peer.Decode(s)
	if err != nil {
		return "", fmt.Errorf("%w: sender %q: %w", ErrBadFrom, s, err)
	}
	if id.String() != s {
		return "", fmt.Errorf("%w: sender %q is not in canonical form %q", ErrBadFrom, s, id.String())
	}
	return id, nil
}

// check applies the text and time limits, in Decode's order.
func (w wireLine) check() error {
	if err := wireErrors.CheckText("nick", w.Nick, MaxNickLen); err != nil {
		return err
	}
	if w.Text == "" {
		return fmt.Errorf("%w: the text is empty", ErrBadText)
	}
	if err := wireErrors.CheckText("text", w.Text, MaxTextLen); err != nil {
		return err
	}
	if w.Time <= 0 {
		return fmt.Errorf("%w: time %d ns is not after 1970", ErrMalformed, w.Time)
	}
	return nil
}
