// Package media finds, in a live container stream, the points where a
// viewer who joins late can start decoding, and the init header such a
// viewer needs first. It does no network I/O: a broadcaster feeds it the
// encoder's output and publishes what it returns.
//
// Entry points:
//
//   - [NewSplitter] reads a stream from an io.Reader; [Splitter.Next]
//     returns it as [Unit]s, in order, each marked Clean when a decoder
//     given [Splitter.Header] can start at its first byte. Concatenated,
//     the units are the input, byte for byte.
//   - [Format] names a container; [ParseFormat] reads it from a flag and
//     [Detect] sniffs it from the first bytes ([FormatAuto] does that in
//     NewSplitter).
//
// The caller provides the reader and calls Next in a loop; Next blocks in
// the reader's Read. A unit ends at the next clean point, at MaxUnit bytes
// or at the end of the stream, whichever comes first, so with a bitrate of
// R bytes/s a unit waits at most min(keyframe interval, MaxUnit/R); lower
// MaxUnit to cut that wait. Unit data aliases the splitter's buffer until
// the next Next.
//
// # MPEG-TS
//
// Each 188-byte packet is independent of the bytes around it, but a
// demuxer can only find the video PID through the PAT and PMT, and a
// decoder can only start at a keyframe. So the header is the latest PAT
// packet and PMT packet(s), and a clean point is a video packet that
// starts a PES packet with the adaptation field's random_access_indicator
// set, which muxers (ffmpeg among them) set on keyframes. Muxers emit PAT
// and PMT right before keyframes; when they are there, the clean unit
// starts at them, so nothing separates them from their keyframe. A
// stream without video has its clean points at each PES start of the
// PMT's first stream, since audio frames decode on their own. Units end
// on packet boundaries. When a packet does not start with the sync byte,
// the splitter looks for three sync bytes 188 bytes apart, counts the
// resync in [SplitterStats] and returns the skipped bytes in a non-clean
// unit.
//
// # Fragmented MP4
//
// A decoder needs the codec configuration in the moov before any sample,
// and then a fragment whose first video sample is a sync sample. So the
// header is the latest ftyp and the moov, and a clean point is a moof
// whose video track fragment starts with a sync sample (the
// sample_is_non_sync_sample flag clear, taken from the trun, else the
// tfhd default, else the trex default). styp, sidx, prft and emsg boxes
// right before such a moof start its unit. Without a video track every
// moof is a clean point. A new moov mid-stream (with the ftyp before it)
// replaces the header. Box sizes of 0 ("to the end of the file") are
// refused: a live stream has no end to point to.
//
// A fragment that places its samples at an absolute offset (tfhd
// base_data_offset) is never a clean point: in a joiner's stream that
// offset points elsewhere. So give ffmpeg -movflags +default_base_moof, as
// CMAF does. Its frag_keyframe starts every fragment at a keyframe, while
// with frag_duration or frag_every_frame only some fragments are clean
// points.
//
// # WebM and Matroska
//
// A decoder needs the EBML header and the Segment's metadata (Info,
// Tracks, CodecPrivate) before any block, and then a Cluster: blocks
// carry timestamps relative to their Cluster's. So the header is the
// EBML header, the Segment's ID and size, and every Segment child before
// the first Cluster (SeekHead, Info, Tracks, Tags, Cues if there, Void),
// and a clean point is a Cluster whose first video block is a keyframe
// (a SimpleBlock with the keyframe flag, a BlockGroup without a
// ReferenceBlock). The header's Segment size is rewritten to "unknown",
// because the joiner's stream is shorter than the whole. The splitter
// looks at most MaxHeader bytes into a Cluster to decide; undecided is not
// clean. Without a video track every Cluster is a clean point. Clusters
// of unknown size end where the next top-level element starts. A new
// EBML header mid-stream starts a new header.
//
// ffmpeg writing WebM to a pipe starts a new Cluster after 1 s or 32 KiB,
// which with a keyframe every second often falls just before the keyframe
// rather than at it; give it -cluster_time_limit above the keyframe
// interval (in ms) and a large -cluster_size_limit, so that it starts
// Clusters at keyframes.
//
// # Raw
//
// Bytes of unknown form are returned as each read gives them, at most
// MaxUnit at a time, never clean, with no header.
//
// # Limits
//
// No length read from the stream sizes an allocation before it is
// checked. The splitter buffers at most MaxUnit + MaxHeader + 17 KiB, and
// refuses with ErrTooLarge a header or moof above MaxHeader.
package media
