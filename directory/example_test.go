package directory_test

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/directory"
)

func ExampleAnnouncement_Encode() {
	ch, err := broadcast.ParseChannel("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live")
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := directory.Announcement{
		Channel: ch,
		Title:   "Night sky",
		Format:  "mpegts",
		Bitrate: 1_500_000,
		Viewers: 300,
		Scale:   directory.ScaleFor(300),
		Time:    time.Unix(1_750_000_000, 0),
		TTL:     30 * time.Second,
	}.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data))

	a, err := directory.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Title, a.Viewers, a.Scale, a.Expires().UTC().Format(time.RFC3339))
	// Output:
	// {"v":1,"channel":"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live","title":"Night sky","format":"mpegts","bitrate":1500000,"viewers":300,"scale":5,"started_ns":0,"time_ns":1750000000000000000,"ttl_ms":30000}
	// Night sky 300 5 2025-06-15T15:07:10Z
}

func ExampleScaleFor() {
	for _, viewers := range []int{10, 64, 65, 1000, 100_000} {
		s := directory.ScaleFor(viewers)
		fmt.Printf("%d viewers: each beats with probability 1/%d, about %d beats per period\n",
			viewers, s, (viewers+s-1)/s)
	}
	// Output:
	// 10 viewers: each beats with probability 1/1, about 10 beats per period
	// 64 viewers: each beats with probability 1/1, about 64 beats per period
	// 65 viewers: each beats with probability 1/2, about 33 beats per period
	// 1000 viewers: each beats with probability 1/16, about 63 beats per period
	// 100000 viewers: each beats with probability 1/1563, about 64 beats per period
}
