package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/chat"
	"github.com/gridcast/gridcast/examples/internal/cli"
	"github.com/gridcast/gridcast/peer"
)

// startChat joins ch's chat: it sends each line read from stdin and prints
// every line others send. The returned function leaves the chat.
func startChat(ctx context.Context, node *peer.Node, ch broadcast.Channel, nick string, stdin io.Reader, w io.Writer) (stop func(), err error) {
	var opts []chat.Option
	if nick != "" {
		opts = append(opts, chat.WithNick(nick))
	}
	room, err := chat.Join(node, ch, opts...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { cli.PrintChat(ctx, room, node.ID(), w) })
	// The stdin reader is not waited for: a read from a terminal cannot
	// be interrupted, and it ends with the process.
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			if sc.Text() == "" {
				continue
			}
			if err := room.Send(ctx, sc.Text()); err != nil {
				if ctx.Err() != nil {
					return
				}
				fmt.Fprintf(w, "chat: not sent: %v\n", err)
			}
		}
	}()
	fmt.Fprintln(w, "chat: type a line and press Enter to send it")
	return func() {
		cancel()
		room.Close()
		wg.Wait()
	}, nil
}
