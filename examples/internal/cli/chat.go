package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/chat"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// PrintChat prints every line others send to room, as "chat <line>", until
// ctx ends or room closes; lines from self are skipped. It runs on the
// caller's goroutine.
func PrintChat(ctx context.Context, room *chat.Room, self libp2ppeer.ID, w io.Writer) {
	for {
		l, err := room.Next(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, chat.ErrClosed) {
				fmt.Fprintf(w, "chat: %v\n", err)
			}
			return
		}
		if l.From != self {
			fmt.Fprintln(w, "chat "+l.String())
		}
	}
}
