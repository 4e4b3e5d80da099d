package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// udpSilence ends a UDP stream: a live sender sends many datagrams a
// second, so this much silence means it has stopped.
const udpSilence = 5 * time.Second

// udpInput receives a stream sent as UDP datagrams, the way OBS's custom
// FFmpeg output and `ffmpeg -f mpegts udp://…` send MPEG-TS. UDP has no
// end of stream, so the stream ends after udpSilence without a datagram
// once one has arrived (the sender stopped), when ctx ends, or on Close.
type udpInput struct {
	conn       net.PacketConn
	pr         *io.PipeReader
	stopCancel func() bool // unregisters the close on ctx's end
}

// listenUDP listens on the host:port of a udp://host:port[?options] URL.
func listenUDP(ctx context.Context, url string) (*udpInput, error) {
	addr := strings.TrimPrefix(url, "udp://")
	if i := strings.IndexByte(addr, '?'); i >= 0 {
		addr = addr[:i] // sender-side options such as pkt_size
	}
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("-in %s: %w", url, err)
	}
	pr, pw := io.Pipe()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	// The reader ends when the socket closes: on silence, ctx's end or
	// Close.
	go func() {
		buf := make([]byte, 64<<10) // the largest UDP datagram
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				pw.Close() // silence or a closed socket ends the stream
				return
			}
			conn.SetReadDeadline(time.Now().Add(udpSilence))
			if _, err := pw.Write(buf[:n]); err != nil {
				conn.Close()
				return
			}
		}
	}()
	return &udpInput{conn: conn, pr: pr, stopCancel: stop}, nil
}

func (u *udpInput) Read(p []byte) (int, error) { return u.pr.Read(p) }

func (u *udpInput) Close() error {
	u.stopCancel()
	u.pr.Close()
	return u.conn.Close()
}
