package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/relay"
)

// list listens to the directory for wait and prints the live channels.
func list(ctx context.Context, dir *directory.Directory, wait time.Duration, stdout, stderr io.Writer) error {
	fmt.Fprintf(stderr, "listening for channel announcements for %v\n", wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil
	case <-t.C:
	}
	channels := dir.Channels(time.Now())
	if len(channels) == 0 {
		fmt.Fprintln(stderr, "no live channel announced")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VIEWERS\tBITRATE\tFORMAT\tLIVE FOR\tTITLE\tCHANNEL")
	for _, a := range channels {
		bitrate := "?"
		if a.Bitrate > 0 {
			bitrate = relay.FormatRate(a.Bitrate / 8)
		}
		fmt.Fprintf(tw, "~%d\t%s\t%s\t%v\t%s\t%s\n", a.Viewers, bitrate, a.Format,
			time.Since(a.Started).Round(time.Second), a.Title, a.Channel.ID())
	}
	return tw.Flush()
}
