package broadcast_test

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/broadcast"
)

func ExampleParseChannel() {
	for _, id := range []string{
		"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live",
		"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
		"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/my show",
	} {
		ch, err := broadcast.ParseChannel(id)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ch.Name, ch.Topic())
	}
	// Output:
	// live /gridcast/1/chunks/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live
	// broadcast: bad channel ID: "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5" has no "/" between the peer ID and the name
	// broadcast: bad channel ID: the name "my show" contains ' ' at byte 2; only letters, digits, '.', '_' and '-' are allowed
}

func ExampleDecoder() {
	ch, err := broadcast.ParseChannel("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live")
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, err := broadcast.NewEncoder(ch, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := enc.AppendEncode(nil, &broadcast.Chunk{
		Channel: ch,
		Seq:     7,
		Time:    time.Unix(1_750_000_000, 0),
		Flags:   broadcast.FlagCleanStart,
		Payload: []byte("keyframe"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	dec, err := broadcast.NewDecoder(ch, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := dec.Decode(data) // c.Payload aliases data
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(data), c.Seq, c.Time.Unix(), c.Flags&broadcast.FlagCleanStart != 0, string(c.Payload))

	_, err = dec.Decode(data[:40])
	fmt.Println(err)
	// Output:
	// 88 7 1750000000 true keyframe
	// broadcast: truncated chunk: 40 bytes, shorter than the 80-byte header with its 57-byte channel ID
}

func ExamplePlayout() {
	p := broadcast.NewPlayout(broadcast.DefaultPlayoutConfig())
	start := time.Unix(1_750_000_000, 0)
	chunk := func(seq uint64, flags broadcast.Flags) broadcast.Chunk {
		return broadcast.Chunk{Seq: seq, Time: start.Add(time.Duration(seq) * 40 * time.Millisecond), Flags: flags}
	}
	drain := func(now time.Time) {
		for {
			c, ok := p.Pop(now)
			if !ok {
				break
			}
			fmt.Println("play", c.Seq)
		}
		if wake, ok := p.NextWake(now); ok {
			fmt.Println("wait until", wake.Sub(start))
		}
	}

	now := start.Add(50 * time.Millisecond)
	p.Insert(chunk(0, broadcast.FlagStreamStart|broadcast.FlagCleanStart), now)
	drain(now)

	now = now.Add(80 * time.Millisecond) // 1 is lost; 2 arrives
	p.Insert(chunk(2, 0), now)
	drain(now)

	now = start.Add(2130 * time.Millisecond) // 2's deadline
	drain(now)
	fmt.Printf("%+v\n", p.Stats())
	// Output:
	// play 0
	// wait until 2.13s
	// play 2
	// {Played:2 Skipped:1 Late:0 Duplicates:0 Overflowed:0 Discarded:0 Restarts:0 Buffered:0}
}
