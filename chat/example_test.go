package chat_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/chat"
	"github.com/libp2p/go-libp2p/core/peer"
)

func ExampleDecode() {
	ch, err := broadcast.ParseChannel("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live")
	if err != nil {
		fmt.Println(err)
		return
	}
	from, err := peer.Decode("12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq")
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := chat.Line{Channel: ch, From: from, Nick: "zoë", Text: "hi <all>", Time: time.Unix(1_750_000_000, 0)}.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data))

	l, err := chat.Decode(data, ch)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("<%s> %s\n", l.Nick, l.Text)

	_, err = chat.Line{Channel: ch, From: from, Text: strings.Repeat("!", 501), Time: time.Now()}.Encode()
	fmt.Println(errors.Is(err, chat.ErrTooLong), err)
	// Output:
	// {"v":1,"channel":"12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live","from":"12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq","nick":"zoë","text":"hi <all>","time_ns":1750000000000000000}
	// <zoë> hi <all>
	// true chat: too long: the text is 501 bytes long; at most 500 are allowed
}

func ExampleLine_String() {
	from, err := peer.Decode("12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq")
	if err != nil {
		fmt.Println(err)
		return
	}
	// String prints the time in the local zone; this one is already local.
	at := time.Date(2025, 6, 1, 20, 15, 7, 0, time.Local)
	fmt.Println("chat " + chat.Line{From: from, Nick: "zoë", Text: "hi <all>", Time: at}.String())
	fmt.Println("chat " + chat.Line{From: from, Text: "hello", Time: at}.String())
	// Output:
	// chat 20:15:07 <zoë>: hi <all>
	// chat 20:15:07 <…2NASuq>: hello
}
