package broadcast

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/media"
)

// tsPacket is an MPEG-TS packet's size: chunks of a TS stream are cut on
// its multiples, so a viewer missing one chunk still gets whole packets.
const tsPacket = 188

// Stream publishes the container stream s reads until it ends, cutting
// chunks where the container allows a player to start (see package media)
// and putting the container's init header on every clean start chunk. A
// raw stream (media.FormatRaw) is published with Write. Stream returns nil
// when s reaches io.EOF (after publishing what is buffered), a wrapped
// read error if s fails, and ctx's error or a publishing error otherwise.
// It runs on the caller's goroutine; to stop it while s blocks in a read,
// close what s reads from.
func (b *Broadcaster) Stream(ctx context.Context, s *media.Splitter) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		u, err := s.Next()
		if errors.Is(err, io.EOF) {
			return b.Flush(ctx)
		}
		if err != nil {
			return fmt.Errorf("broadcast: read %s stream: %w", s.Format(), err)
		}
		if s.Format() == media.FormatRaw {
			if _, err := b.Write(u.Data); err != nil {
				return err
			}
			continue
		}
		if u.Clean {
			if err := b.SetMedia(s.Format(), s.Header()); err != nil {
				return err
			}
		}
		if err := b.WriteUnit(ctx, u.Data, u.Clean); err != nil {
			return err
		}
	}
}

// SetMedia declares the container the following units belong to: from now
// on only WriteUnit's clean points are clean start chunks, and each carries
// format and header. header is kept, not copied: the caller must not
// change it. It must leave room for a full chunk beside it within the
// payload limit (ErrOversized otherwise).
func (b *Broadcaster) SetMedia(format media.Format, header []byte) error {
	if !knownFormat(format) {
		return fmt.Errorf("%w: unknown container format %d", ErrMalformed, uint8(format))
	}
	if len(header) > b.cfg.maxPayload-b.cfg.chunkSize {
		return fmt.Errorf("%w: %s header of %d bytes leaves no room for a %d-byte chunk within %d",
			ErrOversized, format, len(header), b.cfg.chunkSize, b.cfg.maxPayload)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.media, b.format, b.header = true, format, header
	return nil
}

// WriteUnit buffers one unit of a container stream and publishes every full
// chunk; clean says a player can start decoding at data[0], so the chunk
// before it is published first and the chunk that starts with data is a
// clean start. Chunks are cut between units, so a unit is split only when
// it is longer than a chunk (MPEG-TS on packet boundaries). Calling
// WriteUnit before SetMedia declares a raw stream. data is copied.
func (b *Broadcaster) WriteUnit(ctx context.Context, data []byte, clean bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	b.media = true
	if clean {
		if err := b.flushLocked(ctx); err != nil {
			return err
		}
		b.pendingClean = true
	}
	return b.writeUnitLocked(ctx, data)
}

func (b *Broadcaster) writeUnitLocked(ctx context.Context, data []byte) error {
	size := b.cfg.chunkSize
	if len(b.pending) > 0 && len(b.pending)+len(data) > size {
		if err := b.flushLocked(ctx); err != nil {
			return err
		}
	}
	if len(data) > size && b.format == media.FormatMPEGTS && size >= tsPacket {
		size -= size % tsPacket
	}
	for len(data) > size {
		// pending is empty here: publish whole pieces straight from data.
		if err := b.publish(ctx, data[:size], b.pendingFlags()); err != nil {
			return err
		}
		b.pendingClean = false
		data = data[size:]
	}
	if len(data) == 0 {
		return nil
	}
	if len(b.pending) == 0 {
		b.pendingSince = b.cfg.now()
		select {
		case b.pendingKick <- struct{}{}:
		default:
		}
	}
	b.pending = append(b.pending, data...)
	if len(b.pending) >= b.cfg.chunkSize {
		return b.flushLocked(ctx)
	}
	return nil
}
