package player_test

import (
	"context"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
	"github.com/gridcast/gridcast/player"
)

// sliceSource plays a few chunks once start is closed, then ends.
type sliceSource struct {
	start  chan struct{}
	chunks []broadcast.Played
}

func (s *sliceSource) ReadChunk(ctx context.Context) (broadcast.Played, error) {
	select {
	case <-s.start:
	case <-ctx.Done():
		return broadcast.Played{}, ctx.Err()
	}
	if len(s.chunks) == 0 {
		return broadcast.Played{}, io.EOF
	}
	p := s.chunks[0]
	s.chunks = s.chunks[1:]
	return p, nil
}

func (s *sliceSource) Stats() broadcast.ViewerStats { return broadcast.ViewerStats{} }
func (s *sliceSource) Channel() broadcast.Channel   { return broadcast.Channel{} }

// A player's stream starts at a clean start with the container's header,
// whatever came before it.
func ExampleServer_Subscribe() {
	src := &sliceSource{start: make(chan struct{}), chunks: []broadcast.Played{
		{Chunk: broadcast.Chunk{Seq: 1, Payload: []byte("mid-GOP ")}},
		{Chunk: broadcast.Chunk{Seq: 2, Payload: []byte("keyframe "), Flags: broadcast.FlagCleanStart | broadcast.FlagHeader,
			Format: media.FormatWebM, Header: []byte("header ")}},
		{Chunk: broadcast.Chunk{Seq: 3, Payload: []byte("frames")}},
	}}
	s, err := player.New(src)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	c := s.Subscribe() // for -o file; HTTP players use s.Listen or s.Handler
	defer c.Close()
	close(src.start)
	b, err := io.ReadAll(c)
	fmt.Printf("%q %v\n", b, err)
	// Output: "header keyframe frames" <nil>
}
