// Package player serves the channel a viewer watches to local players (VLC,
// mpv, ffplay, a browser) over HTTP, several at once, each from a clean
// start point.
//
// Entry points: [New] takes a [Source] (a *broadcast.Viewer) and starts
// reading it; [Server.Listen] serves [Server.Handler] on an address, or the
// caller mounts Handler on its own http.Server; [Server.Subscribe] gives a
// player's stream as an io.ReadCloser, to write it to a file or a pipe.
// [Server.Close] stops everything.
//
// # Endpoints
//
//   - GET / is a self-contained page: the channel ID, a video element
//     playing /stream when the container is WebM or fragmented MP4 (which
//     browsers play natively), or, for MPEG-TS, the vlc, mpv and ffplay
//     commands that play it, since browsers cannot; and live stats read
//     from /stats every second. It says openly that the viewer relays the
//     stream to others, and within which upload cap.
//   - GET /stream is the live stream: Content-Type from the container
//     (video/mp2t, video/webm, video/mp4, application/octet-stream),
//     Cache-Control: no-store, no Content-Length, flushed after each chunk.
//     It starts with the container's header and the most recent clean
//     start (keyframe), so a player decodes from its first byte, and ends
//     when the broadcast ends or the player goes away. It waits up to the
//     start timeout for the first clean start, which tells the container,
//     and answers 503 with a plain-text reason if none comes; 410 once the
//     broadcast has ended; 503 beyond the player limit.
//   - GET /stream.ts, /stream.webm and /stream.mp4 are the same stream,
//     for players that pick a demuxer by extension; 404 when the extension
//     is not the stream's container.
//   - GET /stats is JSON, which the page reads every second: channel;
//     format ("mpegts", "webm", "mp4" or "raw"; "" before the first clean
//     start) and content_type; ended; download_kbps and upload_kbps, the
//     viewer node's relay traffic (all channels) averaged over about the
//     last 5 s from the differences of its byte counters between /stats
//     requests (so the first request reads 0); upload_cap_kbps (0: no
//     cap); buffer_s; chunks_received and chunks_skipped; latency_p50_ms
//     and latency_p95_ms (publish to receive, recent chunks); mesh_peers;
//     viewers (null when unknown); players, players_served and drops.
//
// buffer_s estimates what the viewer's playout holds ahead of what
// players got: the chunks it holds times the mean publish interval of
// recent chunks. The playout hands in-order chunks on at once, so this is
// near 0 unless a chunk is missing; the buffer that matters for smooth
// playback is the player's own, which the page shows next to it for the
// browser's video element.
//
// # Bounds
//
// Every player has its own queue, bounded in bytes and chunks (16 MiB and
// 4096 by default): the goroutine reading the source never waits for a
// player. A player that falls a whole queue behind finishes the run
// (keyframe to keyframe) it is in, loses the rest of its queue, resumes
// at the next clean start (its broadcast.Splicer sees a gap) and the loss
// is counted. The chunks since the last clean start are cached
// (8 MiB and 2048 chunks by default) so that a new player starts at once;
// a longer run is not cached, and players joining then wait for the next
// clean start. Queues and cache share the chunks and all hold a suffix of
// the same stream, so a server retains about the larger bound, not one per
// player. At most 32 /stream responses run at once by default. See
// options.go for every default.
package player
