package main

import (
	"context"
	"io"
	"sync"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/chat"
	"github.com/gridcast/gridcast/examples/internal/cli"
	"github.com/gridcast/gridcast/peer"
)

// printChat joins ch's chat and prints every line viewers send; the
// broadcaster's stdin is the stream, so it reads the chat without
// writing to it. The returned function leaves the chat.
func printChat(ctx context.Context, node *peer.Node, ch broadcast.Channel, w io.Writer) (stop func(), err error) {
	room, err := chat.Join(node, ch)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { cli.PrintChat(ctx, room, node.ID(), w) })
	return func() {
		cancel()
		room.Close()
		wg.Wait()
	}, nil
}
