// Package relay is gridcast's relay policy: how much of a node's upload goes
// to passing a live stream on over GossipSub, and how that limit is chosen
// and enforced. In gridcast every viewer relays chunks to its mesh
// neighbours; this package decides how many neighbours a node can afford,
// holds it to its upload cap, scores peers, and reports what the router is
// doing.
//
// # Entry points
//
//   - [Budget], the upload a node may spend: the profiles [ADSL], [Cable] and
//     [Fibre], [Multiple] for "x copies of the stream", or a Budget{Upload: n}
//     from [ParseRate] ("2Mbit/s"). [FormatRate] prints rates back.
//   - [Budget.PubSubOptions], the options for pubsub.NewGossipSub: mesh degree,
//     peer scoring, message IDs, queue sizes. It builds on [Budget.Degree] and
//     [Budget.GossipSubParams].
//   - [NewLimiter] and [Limiter.WrapHost], the host to give pubsub so that every
//     byte it sends is paced by the cap; [SkipHeld], [LazyPush] and
//     [DeferPulls], fed by the Monitor, keep it from sending, or asking
//     for, copies nobody needs, and [PreferFasterFeeders] moves a viewer
//     to a faster feeder.
//   - [NewMonitor], a pubsub.RawTracer and score inspector for stats.
//   - [TopicScoreParams], for Topic.SetScoreParams on every channel topic, and
//     [SubscriptionBuffer], for Topic.Subscribe.
//
// The caller provides the host, the stream's bitrate in bytes per second,
// the node's Role and its Budget, calls SetScoreParams on each channel topic,
// and has its validators answer Reject only for messages no honest relay
// would pass on (a wrong author, a bad chunk), Ignore otherwise: one Reject
// costs the forwarder its place in the mesh.
//
// # Degree
//
// GossipSub's degree parameters apply to the whole router and cannot change
// while it runs, so they are chosen from the budget when the router is
// built. With c = Budget.Copies(bitrate), the number of whole copies of the
// stream the budget carries once each is charged Overhead (10%):
//
//	source: Dhi = c       it sends every chunk to every mesh peer
//	viewer: Dhi = c + 1   it hears a chunk from one mesh peer and forwards
//	                      it to the rest (IDONTWANT spares some of them)
//	Dhi clamped to [MinDegree, MaxDegree] = [2, 12] for a source and
//	           for a leaf viewer (c ≤ LeafCopies = 1),
//	           [MinViewerDegree, MaxDegree] = [4, 12] for other viewers
//	D   = Dhi − max(1, Dhi/4)   (= Dhi when Dhi ≤ 2)
//	Dlo = D − max(1, D/4)       (= D when D ≤ 2)
//	Dout = max(0, min(Dlo−1, D/2−1)),  Dscore = 2D/3
//	Dlazy = min(Dhi, 6) for a viewer, 0 for a source, a leaf or an
//	        oversubscribed viewer
//
// Upload is budgeted on Dhi rather than D because GossipSub accepts incoming
// GRAFTs until the mesh reaches Dhi, trims it back to D only at the next
// heartbeat, and leaves a mesh of D to Dhi−1 peers as it is. So a mesh can
// hold Dhi peers: a source then sends each chunk Dhi times and a viewer
// forwards it up to Dhi−1 times. (GRAFTs from peers this node dialled may
// even pass Dhi until the heartbeat; the Limiter covers that.) D below Dhi
// leaves room for newcomers' GRAFTs; Dlo below D stops every departure from
// triggering a regraft. The formula keeps within pubsub's own checks
// (Dlo ≤ D ≤ Dhi, Dscore ≤ D, Dout < Dlo and Dout < D/2 in integer
// division).
//
// The last of those checks is why no mesh is smaller than 2:
// with D = 1 no Dout satisfies it. That is a source's floor. A viewer's is
// higher, Dhi ≥ 4 (so D = 3, Dlo = 2), because a mesh where every node has
// D = Dhi = 2 has no room for a GRAFT: a viewer whose neighbours' meshes
// are full is left to gossip repair, a heartbeat late. In a simulation of
// one source and three viewers, raising the floor from 2 to 4 took p95
// latency from 1.5 s to 347 ms. A viewer whose cap cannot carry the three
// copies this lets it forward still never sends more than its cap, and its
// neighbours get what it drops from their other mesh peers.
//
// A viewer that can relay at most one copy is the exception: a leaf, with
// D = Dlo = Dhi = 2, passing each chunk on to one peer at most. Held up
// to the floor of 4 such viewers sat in the middle of the mesh, each with
// a second of chunks queued behind its uplink; see MinViewerDegree for the
// measurements.
//
// So a source with under two copies of budget, a leaf under one, or
// another viewer with under three (a 3× viewer of a 300 kbit/s stream) is
// oversubscribed (Budget.Oversubscribed): the cap still holds and delivery
// suffers instead. Off the floors the mesh always fits the budget.
//
// A source sends no gossip (Dlazy = 0). Its uplink is the stream's first
// bottleneck, and IHAVEs from it invite IWANTs for chunks still on their way
// down the mesh, each answered with one more full copy from that uplink. In
// a simulation with 20 viewers the source pushed 5 copies of each chunk
// plus 2.5 IWANT answers; with Dlazy = 0 its upload fell from 7.0× to 5.3×
// the bitrate and median latency from 485 ms to 299 ms. Repair comes from
// viewers instead, whose Dlazy grows with Dhi up to pubsub's default of 6,
// and only from those with upload to spare: an oversubscribed viewer's
// IHAVEs invite IWANTs it can answer only late, so it sends none.
//
// For a 300 kbit/s stream (one copy costs 330 kbit/s; * marks an
// oversubscribed budget):
//
//	budget             c   viewer D/Dlo/Dhi/Dlazy   source D/Dlo/Dhi/Dlazy
//	1×  (300 kbit/s)   0   2/2/2/0 * (leaf)         2/2/2/0 *
//	ADSL (512 kbit/s)  1   2/2/2/0   (leaf)         2/2/2/0 *
//	3×  (900 kbit/s)   2   3/2/4/0 *                2/2/2/0
//	4×  (1.2 Mbit/s)   3   3/2/4/4                  2/2/3/0
//	Cable (2 Mbit/s)   6   6/5/7/6                  5/4/6/0
//	10× (3 Mbit/s)     9   8/6/10/6                 7/6/9/0
//	Fibre (10 Mbit/s)  12  9/7/12/6                 9/7/12/0
//
// # The cap
//
// The degree is a plan; the Limiter enforces the cap. It is one token bucket
// (TokenBucket) per node, shared by every stream the wrapped host opens or
// accepts, with a burst of max(MinBurst, BurstWindow of the cap). A write
// is cut into pieces no larger than the burst, and each piece waits on a
// timer until its tokens are there, so in any window the node sends at most
// cap × window + burst of stream payload (transport headers add a few
// percent on top).
//
// The burst is small on purpose: 4 KiB, or 20 ms of a fast cap.
// A larger burst overflows a queue that drops early (fq_codel, common in
// home routers, aims at 5 ms of queue); the transport then sees loss,
// shrinks its window and blocks the next write on that connection, and
// every IDONTWANT queued behind that write waits too, so the peer, not
// told in time, sends a copy nobody needs. In the swarm (100 viewers, the
// 2008 mix, 30 s, seed 2) the viewers' writes blocked 50 ms or more in
// QUIC (Limiter.Stalls) 5,419 times with 16 KiB bursts and 926 times with
// 4 KiB ones, and duplicates per chunk fell from 0.83 to 0.73.
//
// When the cap bites, writes wait; pubsub's per-peer writer falls behind;
// that peer's outbound queue fills; and pubsub drops further chunks to it,
// counted by Monitor.DroppedRPCs. The peer gets those chunks from another
// mesh peer or through gossip repair (IHAVE/IWANT), or misses them. The cap
// holds either way.
//
// Writes to mesh peers come first. peer.Node builds its Limiter with
// PrioritizePeers(Monitor.InMesh): a write to a peer outside every mesh
// (an IWANT answer, IHAVE gossip, a PRUNE) takes only tokens the bucket
// holds at the time, so it never makes a mesh write queue behind it. While
// the mesh uses the whole cap it waits, for up to SpareWait (5 s); then it
// queues like a mesh write, so that pubsub's 30 s write deadline never
// resets a stream for want of spare upload. Without this, repair fed on
// itself: a node answering a burst of IWANTs (a newcomer asks every peer
// that advertises a chunk it lacks, several copies of seconds of stream)
// sent its mesh chunks late, their receivers heard of them first by gossip
// and asked for them too, and so on downstream. In the swarm (100 viewers
// with 6× uplinks, 20% churn per minute) continuity collapsed after one to
// four minutes, with chunks queued up to 2 s behind repair on the busiest
// relays; with mesh first it held 99.98%.
//
// The queue holds about one second of stream: OutboundQueueLen is
// QueueDelay (1 s) × bitrate / MinChunkSize (4 KiB) RPCs, rounded up, kept
// within [8, OutboundQueueSize = 64]. A longer queue only sends staler
// copies, since pubsub does not take back a queued chunk when the peer says
// IDONTWANT, and a chunk queued for seconds misses the playout deadline
// anyway. The floor of 8 is for GRAFT and PRUNE, which share the queue and
// are dropped with chunks when it is full.
//
// # Copies nobody wants
//
// A viewer in a mesh of d peers hears each chunk first from one of them
// and forwards it to the rest, less those that said IDONTWANT. pubsub
// checks IDONTWANTs only when it queues a chunk, so on a node whose upload
// queues, copies go out long after their peers got the chunk from faster
// relays: the waste grows exactly where upload is scarcest. peer.Node
// therefore builds its Limiter with SkipHeld(Monitor.Held()): the Monitor
// records, from the router's trace, which chunks each peer holds (its
// IDONTWANTs and IHAVEs, and the copies it sent), and a paced write leaves
// those chunks out when it is made and again when its tokens are there,
// giving back the tokens of what it left out. So a busy relay sends only
// what is still wanted and the stream's tree follows upload capacity
// without any change to the protocol. Two smaller fixes ride on the same
// write path: an IWANT leaves out chunks asked of another peer within
// IWantRetry (pubsub asks every peer that advertises a chunk it lacks, and
// each answers with a full copy), and control frames of at most
// ControlBypass bytes go out without waiting behind chunks, charged to the
// bucket, so an IDONTWANT arrives before the copy it is meant to stop.
//
// # Lazy push: announce to peers that someone else feeds first
//
// SkipHeld cannot stop a mesh race: two relays that get a chunk within a
// round trip of each other both send it on before either's IDONTWANT
// arrives. In a mesh every chunk crosses every edge, so these races are
// most of the duplicates left (0.5 to 0.7 a chunk on the swarm's quick
// preset with SkipHeld), and a tree would have none.
//
// peer.Node builds a viewer's Limiter with LazyPush(Monitor.Offers(),
// peer.DefaultLazyShare), which makes a tree of the mesh without a change
// to the protocol: Plumtree's eager and lazy push, decided on the write
// path. pubsub sends an IDONTWANT to every mesh peer but the one it got a
// chunk from, so a viewer counts, per mesh peer, the chunks it offered and
// how many of them the peer then told it IDONTWANT for: the share of the
// time someone else fed that peer first (Offers.Redundancy, over the last
// few seconds). Once that share reaches the lazy share, the viewer
// announces each chunk to the peer in an IHAVE of its own, sent at once as
// control, instead of sending the copy. The peer gets the chunk from its
// faster feeder and ignores the IHAVE; if that feeder fails it, pubsub
// asks with IWANT at once, and the answer goes out whole. Announcements
// count as offers too, so when the faster feeder leaves, the IDONTWANTs
// stop, the share falls and the copies resume. An IWANT from the peer
// clears its share at once (Offers.Want): a peer that has to ask is not
// fed by anyone faster, so it gets copies again until OfferMinSamples new
// offers say otherwise. That is Plumtree's GRAFT on a missing message;
// without it, when a relay high in the tree leaves, every viewer below it
// pulls each chunk hop after hop until the shares have decayed. Every node reads up to
// MaxIHaveMessages IHAVEs from a peer per heartbeat, room for one per
// chunk. A source never uses it: it answers no IWANT, and its copies are
// always the first.
//
// On the swarm's quick preset (100 viewers, the 2008 mix, a 4× source,
// 20% churn a minute, 30 s, seed 2, one build) lazy push at the default share of one half
// took the mean download from 1.91 copies of the stream to 1.50 (two
// runs) and duplicates from 0.75 a chunk to 0.33–0.35, at the same
// continuity (99.68% against 99.65–99.69%) and a longer tail (p99 925 ms
// against 1112–1401). Without churn, download fell from 1.86 to 1.44–1.45
// and continuity from 100% to 99.04–99.86%, most likely because a chunk
// whose one copy is dropped on a full queue now has one IWANT to come by
// rather than a second copy already on its way. (Making a peer eager
// again whenever it pulled a chunk from this node bought that continuity
// back, 99.99% without churn, but then also most of the duplicates,
// 0.50–0.54 a chunk, because a pull was sent for every IHAVE that beat
// its copy. Held-back pulls, below, leave only the pulls that were
// needed, and with them the rule costs no duplicates: 0.12 and 0.19 a
// chunk with it against 0.12 and 0.17 without, on seeds 2 and 1. When
// the relay feeding 689 of 1000 viewers left, with no churn, 234 of the
// 30,000 sampled arrivals below had to be pulled with the rule, against
// 597 without, and p99 latency was 1.38 s against 1.54 s.) With room to
// relay (every viewer 6×) download fell from 2.66 to 1.82. A lower share
// does not take the remaining duplicates away: on the seed preset (seed
// 4, 30 s, gridcast alone) a share of 30% gave 0.17 duplicates a chunk
// and 1.30 copies downloaded against 0.18 and 1.31 at one half, with
// continuity 99.26% against 99.16%, within the spread of runs. Most
// duplicates left are eager copies that crossed, not pulls: in the 60 s
// seed-preset run in the README, viewers sent about 22,800 pulls (held
// back minus saved) against some 100,000 duplicates (0.175 a chunk).
//
// # Holding back pulls until the eager copy has had its chance
//
// With lazy push a chunk reaches most peers twice over: a copy from the
// peer's eager feeder, and IHAVEs from the others. An IHAVE goes out at
// once, as control, while the copy waits its turn in its sender's paced
// queue, so the IHAVE often arrives first. pubsub asks for a chunk the
// moment an IHAVE names one it lacks, and the answer is a second copy: on
// the quick preset about half the chunks announced were pulled, and
// duplicates stayed near 0.35 a chunk. peer.Node therefore builds a
// viewer's Limiter with DeferPulls(Monitor.Seen(), peer.DefaultPullDelay):
// the write path holds each IWANT's IDs back for 250 ms, then asks only
// for the chunks that did not come meanwhile. This is Plumtree's timer on
// a missing chunk, again without a change to the protocol: pubsub has
// sent its IWANT as far as it knows, and the promise it tracks for the
// announcer is kept by whoever delivers the chunk. A chunk whose eager
// copy never comes is pulled 250 ms later than before, so a stream whose
// recent held-back pulls mostly had to be sent (PullNeededShare, over the
// last few seconds) asks at once: nobody else feeds this node, as when
// all its feeders serve it lazily, and waiting would make every chunk
// late. A few seconds later its record has faded and it holds pulls back
// again, to see whether a feeder came.
//
// On the quick preset (seed 2) the delay decides how many held-back pulls
// turn out needless: 37% at 80 ms, 59% at 150 ms, 87% at 250 ms and 84%
// at 400 ms, where the tail grew. At 250 ms duplicates fell from 0.37 to
// 0.10–0.11 a chunk and the mean download from 1.51 copies of the stream
// to 1.23–1.26 (two runs). Without churn, though, continuity fell from
// 99.99% to 99.05% and p99 latency rose from 0.7 to 1.6 s; asking at once
// where pulls are mostly needed brought that back to 99.81% and 1.4 s at
// a download of 1.20, and kept as many chunks on time as the fixed delay
// or more in six of the seven conditions the README's Performance
// section lists.
//
// # Switching to a faster feeder
//
// Lazy push keeps the tree the stream took first: a peer that was
// slower once is served by IHAVE from then on, and a held-back pull is
// never sent while the eager copy comes within the pull delay, however
// much sooner the lazy peer announced the chunk. So a viewer can keep a
// feeder one or two hops deeper than a lazy neighbour, and so can
// everyone below it; at the top of the tree one of the source's two
// children often ends up feeding almost nobody (965 viewers under one,
// 12 under the other on seed 2). peer.Node builds a viewer's Limiter with
// PreferFasterFeeders(peer.DefaultFeederLead): a held-back pull whose
// chunk came more than 150 ms after the IHAVE counts as one that had to
// be sent, so once most do, that stream's pulls go out at once, and the
// first IWANT makes the announcer feed this node eagerly (Offers.Want);
// this node's IDONTWANTs then make the slower feeder lazy. That is
// Plumtree's optimisation of its tree. The lead has to exceed what the
// announcer's own queue adds to a copy it sends rather than announces, or
// the two feeders trade places: on the quick preset (100 viewers, 30 s,
// seeds 1 to 8) 100 ms raised latency p99 on six seeds of eight (median
// +225 ms) and duplicates on six. At 150 ms the median chunk passed
// fewer hops or as many on every seed (4.75 against 5.13 on average),
// median latency p50 was 370 against 398 ms and p99 1.26 against 1.27 s,
// continuity 99.67% against 99.81% at the median (seed 1, which swings by
// tens of points, 94.48% against 70.11%), for 0.006 more duplicates a
// chunk. On the seed preset (1000 viewers, 60 s) continuity was 97.37%
// and 98.81% against 96.95% and 98.61% (seeds 2 and 3), latency p99
// 2.21 s and 1.85 s against 2.37 s and 1.92 s, p95 1.50 s and 1.22 s
// against 1.60 s and 1.27 s, for 0.01 more copies downloaded. Combined
// with the weak-peer bound below (not kept) it raised p99 on seven quick
// seeds of eight.
//
// # The source feeds relays that can pass the stream on
//
// The source's few copies decide what the whole swarm can receive: a
// source whose mesh is two viewers that can relay less than one copy each
// delivers less than two copies' worth of upload to everyone below them,
// however much the rest of the swarm could relay. Every node announces the
// copies its budget carries on peer.UplinkProtocol; a source asks each peer
// that connects and, while it knows at least D peers announcing
// FeedMinCopies or more, scores the others below zero
// (Uplinks.SourceScore), so they are pruned from its mesh and their
// GRAFTs refused. They get the stream one hop down. With fewer strong
// peers connected the source feeds whoever comes, as before. In the swarm
// (100 viewers, the 2008 mix, 30 s), a source that happened to graft two
// 1× viewers delivered 3.1% of chunks on time; feeding strong relays, the
// same workload delivered 34%.
//
// Uplinks.FeedStrongest (peer.WithFeedStrongest, on by default in
// peer) narrows that to the strongest: peers that announce at least as
// many copies as the D-th strongest known, or FeedStrongCopies (4) if
// that is fewer, while 2·d peers clear it. The bar stops there because
// announcements are claims:
// uncapped, two peers claiming MaxAnnouncedCopies would be a source's
// whole mesh, feeding nobody; capped, they compete with every honest
// peer of four copies or more. The source's D mesh peers carry the whole
// swarm, so the fewer hops each chunk needs under them the sooner
// everyone has it. On the seed preset (30 s, gridcast alone)
// it put fibre viewers under the source on the three seeds measured,
// where without it the source fed two 3× viewers and 964 of seed 3's 989
// viewers hung under one of them: continuity 99.21%, 99.19% and 99.16%
// against 98.83%, 99.02% and 99.07% measured alongside (seeds 2, 3
// and 4), latency p50 643, 599 and 631 ms against 695, 835 and 732, p99
// 1.70, 1.62 and 1.68 s against 1.83, 1.83 and 1.79, viewers missing any
// chunk 8.6%, 7.5% and 8.3% against 12.8%, 10.9% and 11.6%, for the same
// download (1.31, 1.29 and 1.31 against 1.33, 1.28 and 1.31). The
// continuity gains sit within the spread of earlier same-seed baselines
// (99.15% and 99.49% for seeds 2 and 3); latency and the viewers missing
// a chunk moved the same way on every seed. Those runs had no cap; on
// this preset it changes nothing, as every viewer announces 0, 2 or 8
// copies. Against claims it does: in the quick preset with 10% attackers
// (100 viewers, 30 s, seeds 1 and 2), whose two black holes claim
// MaxAnnouncedCopies, continuity was 0.00% on both seeds with the bar
// uncapped (it kept every honest peer out of the source's mesh, which
// held one black hole or nobody), 7.77% and 19.79%
// with the wider FeedMinCopies rule (a black hole held one of the two
// slots), and 55.60% and 56.28% capped, the source feeding honest 10×
// viewers; without attackers, 99.18% and 99.38%. With every viewer on a
// 3× line no honest peer reaches the cap, and the capped bar let the two
// black holes alone clear it: 0.00% (seed 1), against 99.81% with the
// wider rule. So the bar is raised only while 2·d peers clear it. With
// that guard the same two runs played 14.91% (every viewer 3×; narrowed,
// not closed) and 95.81% (the 2008 mix), and seeds 2 and 3 of the seed
// preset without attackers 99.00% and 99.25%, the source feeding 10×
// viewers in both.
//
// # Weak viewers keep to peers that can feed them
//
// A viewer whose budget carries less than one whole copy (a 1× line under
// its cap) cannot feed another viewer. Meshes are drawn at random, so in
// the 2008 mix some 1× viewers held only 1× mesh peers: each took the
// other for a feeder, and both got the stream late or not at all, for as
// long as the mesh lasted. The swarm's -starved lines showed the same few
// viewers missing chunk after chunk with no churn at all. Such a viewer
// asks its peers' capacity too, and while it knows at least D peers that
// announce a whole copy or more it scores the others below zero
// (Uplinks.WeakViewerScore): its mesh holds only peers that can feed it,
// and 1× viewers hang off stronger ones. They still pass chunks on to
// their mesh peers, mostly as lazy IHAVEs. In the quick preset without
// churn (30 s, seeds 1, 2, 3) continuity went from 95.7%, 100% and 99.3%
// to 99.5% and 100% (two runs), 99.96% and 100%; with churn, seeds 2, 3
// and 4 went from 99.7%, 97.3% and 99.6% to 99.0–99.9%, 99.6–99.7% and
// 100%, while seed 1, which varies by ten points from run to run, stayed
// where it was (94.5% over three runs before, 94.2% over four after). In
// the seed preset (30 s, one run each) it went from 97.75% to 98.92%,
// latency p99 from 2.29 s to 1.88 s. Stronger viewers can form such
// islands too, a few cable viewers whose meshes join only each other and
// 1× viewers; a rule that pruned a strong viewer's 1× mesh peers while
// most of its first copies came from them lost more than it saved in the
// one comparison made (96.7% against 99.5% without churn, seed 1): the
// 1× viewers it pruned lost their feeders.
//
// # Peers that leave without a goodbye
//
// A viewer whose power or uplink goes sends nothing more: its peers keep
// the connection, and GossipSub keeps it in their meshes, until QUIC's
// idle timeout (30 s). Lazy push then feeds it eagerly, since a dead peer
// says no IDONTWANT. For a viewer that is one mesh peer in three fed
// into the void; for a source, whose two or three mesh peers carry the
// whole swarm, it is one of its copies: in the quick preset a source kept
// a departed mesh peer for the last 15 s of a run, and its upload fell
// from 2.1 to 1.67 copies. Monitor.SilentMeshPeers names the mesh peers
// that have sent nothing lately, and peer.Node pings them and drops those
// that do not answer (peer.WithMeshPing): a source after 2 s of silence,
// which then replaced a departed mesh peer within 4 s, and a viewer after
// 1 s. A viewer whose feeder left is the one that suffers: the dead peer
// holds a mesh slot, pubsub grafts no replacement while the mesh holds
// Dlo peers, and the viewer and everyone below it get the stream only by
// repair until QUIC gives up on the connection. Dead peers pile up for
// those 30 s, so the loss grows through the first half minute of churn
// and stays; runs of 20 s, which is how viewer pings were first measured
// (98.92% against 99.35%), end before most of it. Over 60 s of the seed
// preset (1000 viewers, 20% churn a minute) continuity went from 96.95% to
// 99.05% on seed 2 and stayed level on seed 3 (98.61% and 98.57%,
// latency p99 1.92 s and 1.97 s; 2.37 s and 1.77 s on seed 2); in the
// quick preset (100 viewers, 60 s, seeds 2 to 5) from
// 99.03%, 99.34%, 99.67% and 99.07% to 99.93%, 99.59%, 99.98% and
// 99.90%, with latency p99 lower on three seeds of four (median 1.53 s to
// 0.98 s). The price is duplicates, 0.02 to 0.06 more a chunk (0.24
// against 0.19–0.22 on the seed preset): every replacement mesh peer is
// fed eagerly until lazy push has seen who feeds it first. A ping goes
// unanswered for 2 s (MeshPingTimeout) before the peer is dropped; without
// churn the quick preset dropped 2 live mesh peers in 20 s this way.
//
// # What the seed preset shows
//
// With all of the above, the swarm's seed preset (1000 viewers, 30% on 1×
// uplinks, 60% on 3×, 10% on 10×, a 4× source, 20% churn a minute, every
// departure without a goodbye) plays 99.6% of chunks by a 2 s deadline,
// against 1.4% for pubsub's defaults, with the source sending 2.2 copies.
// Each viewer downloads 1.33 copies of the stream: 1.06 are the chunks
// with their headers and signatures, 0.21 duplicates and 0.06 control.
// Without churn it plays 99.99% at 1.26 copies. (Before viewers pinged
// silent mesh peers and moved to faster feeders it played 98.5% at 1.29
// copies in the same 60 s run of all modes; before the source fed its
// strongest peers, 98.6%; before weak viewers kept to strong ones, 97.8%;
// with polite departures, before the swarm's cut of a leaving viewer
// worked, 98.4%; before smaller bursts, lazy push and held-back pulls,
// 96.6% at 1.93 copies.) The misses fall on few viewers: the tenth that
// missed most bore 98% of them. Latency is what is furthest from the
// goal: p50 0.59 s and p99 1.5 s. The delivery trees say why: the median
// chunk passes 7 relays (the p99 one 12), and a hop takes about 90 ms,
// two thirds of it the link's latency; a cable viewer holds a chunk
// 26 ms at the median, a 1× viewer 377 ms, since a cap of 0.9 copies
// cannot carry a whole one. Shorter trees or shorter links would help; a
// faster write path cannot.
//
// # What did not give them a feeder
//
// Each of these lost on the seed preset (30 s, gridcast alone), on seeds 2
// and 3 against 99.18% and 99.49% without it unless it says otherwise:
//   - a strong viewer scoring the peers that announce a whole copy above
//     the opportunistic-graft threshold, so that a mesh whose median peer
//     is weaker grafts two of them: 97.4% at 21 s of seed 2 against 99.4%,
//     with two thirds more RPCs dropped for full queues (stopped there);
//   - the same only while no such mesh peer had delivered it a chunk
//     first within 2 s: 98.89% and 98.62%, 0.04 more copies downloaded and
//     0.04 more duplicates;
//   - viewers pinging their silent mesh peers: 99.13% (seed 2; over 60 s
//     it paid, and viewers now ping: see "Peers that leave without a
//     goodbye");
//   - 1× viewers announcing lazily to any peer that had 5% of their
//     offers elsewhere first (91.1%, a swarm-wide stall, and 98.5%), or
//     only at 90% (99.12% and 99.34%); or announcing every chunk to every
//     peer and sending only those asked for, so that their copies never
//     queue behind each other (on the quick preset, 30 s, seeds 1 to 10,
//     run beside the defaults): 1.26 copies downloaded against 1.30 and
//     0.13 duplicates a chunk against 0.17, but latency p99 1.23 s against
//     1.07 s and continuity 99.76% against 99.80% at the median, with a
//     stall on seed 7 (72.4%) where the defaults stalled on seed 1
//     (93.2%); 1× viewers were still first to deliver about as many of
//     the sampled arrivals (945 against 965 over the ten seeds). On the
//     seed preset (60 s, seed 1, the two run side by side) it played
//     94.32% against 99.25%, falling from 99.06% at 40 s, with p99
//     2.43 s against 1.76 s, for 1.33 copies downloaded against 1.35;
//   - a 4× source keeping three mesh peers instead of two (D = Dlo = 3):
//     99.05%, and a stall to 93.1% once its cap, three copies, had no room
//     left.
//   - a strong viewer that heard from no mesh peer able to feed it for
//     2 s scoring its weak peers below zero (as a weak viewer does, so the
//     heartbeat prunes them and grafts strong ones): 86.9% at 10 s of
//     seed 2 (stopped there); firing instead after 1 s with no chunk at
//     all, 87.7% (seed 2, 99.15% without it, from the same binary), with
//     start-up p95 at 16.9 s, because it fired on joining viewers before
//     their first chunk. Past start-up it can fire only in stalls wider
//     than one viewer, since a viewer starving alone still gets late
//     chunks by gossip repair, and there shedding peers deepens the stall;
//     what such a viewer lacks is a sign that its chunks come late, which
//     the relay, seeing message IDs and not publish times, does not have.
//   - that sign, built and measured: a strong viewer most of whose chunks
//     in the last 2 s came over 1.2 s after publishing (from the
//     broadcast layer's publish times) scoring its weak peers below zero.
//     98.71% at 13 s of seed 2 and 80.02% at 14 s of seed 3 (stopped
//     there), against 99.57% and 99.43% at 13 s without it (98.83% and
//     99.02% at 30 s). A stall makes every viewer below it late at once;
//     they all shed and refused their 1× peers, whose meshes fell to 0.3
//     peers on seed 3.
//   - 3× viewers grafting while their mesh holds fewer than three peers
//     (Dlo = 3 instead of 2): 98.54% (seed 2), 0.29 duplicates a chunk
//     against 0.18 and 93,521 RPCs dropped for full queues against 66,042;
//   - a PruneBackoff of 10 s instead of 1 min, so that a viewer turned
//     away by full meshes may ask again sooner: 98.94% and 98.90%;
//   - a strong viewer whose mesh held no peer announcing a whole copy,
//     while d such peers were connected, scoring its weak peers below
//     zero until one was in the mesh: 99.03% and 99.21% against 99.00%
//     and 99.25% (from 6df055b), within the spread, with 0.04 more copies
//     downloaded on seed 2 and 12% to 13% more RPCs dropped for full
//     queues;
//   - a strong viewer keeping at most half its mesh (one peer for a 3×
//     viewer, four for a 10×) for weak viewers, so that a departed
//     feeder cannot leave it with weak peers alone: on the quick preset
//     (30 s, seeds 1 to 8) it took the median latency p99 from 1.27 s to
//     1.18 s and the download from 1.27 to 1.24 copies, at a median
//     continuity 0.12 points lower; on the seed preset (60 s, stopped at
//     44 s and 47 s) weak viewers found too few places, their meshes
//     fell from 2.0 to 1.8 peers and the source fed two 3× viewers on
//     seed 3: 98.66% and 98.78% at 10 s against 99.64% and 99.61%, and
//     97.56% and 98.05% at the end, against about 97.7% and 98.9% at
//     that time without it.
//
// The last two were aimed at what -starved shows on seed 2: half of the
// 3× viewers sampled lacking a chunk held no mesh peer that could feed
// them, only 1× ones. Fixing their meshes did not fix continuity, so those
// meshes are more a sign of where stalls land than their cause.
//
// Grafting feeders put strong viewers in each other's meshes, and the
// duplicates and full queues that brought cost the swarm more than the
// starving viewers gained.
//
// # Chunks in parts: measured, not used
//
// go-libp2p-pubsub v0.19's partial-messages extension lets a message
// travel in parts, peers telling each other which parts they hold (a
// bitmap the application defines) so that each sends only what the other
// lacks. The router then neither validates, deduplicates nor caches those
// messages; the application does all three. It was built for gridcast in
// two forms and measured against the defaults; gridcast does not use it.
//
// Pushing each part to every mesh peer not known to hold it, with a bitmap
// to each on every change, is the extension's plain use. On the quick
// preset (seed 2, 30 s) it played 94.28% with each chunk one part and
// 92.81% with four, downloading 2.23 and 2.44 copies (0.99 and 1.00
// duplicates a chunk), against 99.70% and 1.34 copies with the defaults:
// without lazy push every mesh edge carries every chunk, and a bitmap
// stops only parts not yet sent.
//
// The second form was Plumtree on the extension. On its first part of a
// chunk a node tells each mesh peer but its feeder, in one small RPC, that
// it needs nothing more of that chunk; it pushes parts as they come, each
// in its own RPC, to mesh peers that told it so for less than half of its
// recent chunks; a chunk still incomplete 250 ms after such a claim is
// asked of the claimer, which then feeds the asker; and the write path
// drops queued parts the peer has since claimed. The owner signs each
// chunk's list of part hashes; a part is kept and passed on only once it
// matches, and a bad one costs its sender what a rejected chunk does. On
// the quick preset (seeds 1 to 10, 30 s, beside the defaults):
//
//	                      continuity  download  dups   p50/p99 latency
//	                      (median)    (mean)    /chunk (median, ms)
//	defaults              99.66%      1.31      0.17   374 / 1315
//	Plumtree, 1 part      98.36%      1.22      0.12   366 / 1981
//	Plumtree, 4 parts     98.63%      1.35      0.12   312 / 1655
//
// Whole chunks this way cost 0.09 copies less than the defaults: a claim
// does the work of an IDONTWANT and an IHAVE, and a chunk carries one
// signature and no pubsub header. Four parts passed on as they come cut
// the median latency by a sixth, and cost 0.12 copies more than one part,
// since every part travels in an RPC of its own with the topic's name.
// Both lost continuity and the tail: 7 seeds of 10 played 99.5% or more
// with the defaults, 1 and 2 of them in parts. The repair the defaults
// grew over many measurements (pulls sent at once where pulls are mostly
// needed, moving to a faster feeder) would have to be built again for
// parts, and measured again. On the seed preset (seed 1, 60 s) the two
// played 96.09% and 97.49%, against 99.25% and 99.61% in earlier runs of
// the defaults on that seed, with latency p50 882 and 521 ms against 587
// to 716 ms, p99 3.1 and 2.4 s against 1.5 to 1.8 s, and 1.30 and 1.40
// copies downloaded against 1.33 to 1.35.
//
// # Where the targets stop
//
// The swarm's seed preset asks for 99.9% of chunks by the deadline, a mean
// download of 1.2 copies of the stream and latency p99 of 1 s; gridcast
// plays 99.6% at 1.33 copies with p99 1.5 s (the README's Performance
// table). What is left of each, and what go-libp2p-pubsub v0.19 lacks for
// it, with the upstream work that would add it:
//
// Download. Chunks with their headers take 1.06 copies and control 0.06,
// which leaves 0.08 for duplicates; they take 0.21 in the README's run.
// Monitor.RPCStats counts each duplicate by its likely cause
// (DuplicateCauses), and the swarm reports the split (duplicate_causes).
// Quick preset, seeds 2 and 3, 30 s, and the seed preset, seed 1, 60 s,
// gridcast alone:
//
//	                                          quick 2  quick 3  seed 1
//	duplicates a chunk                          0.14     0.18    0.18
//	a pull for the chunk was out (Pulled)       14%      15%     17%
//	a mesh copy under 200 ms after the first    66%      58%     59%
//	  (Crossed)
//	a mesh copy 200 ms or more after it (Late)  14%      20%     18%
//	from outside the mesh, or first forgotten    4%       7%      6%
//
// A mesh copy under 200 ms after the first was sent before the sender
// could have heard this node's IDONTWANT (links take 20–80 ms one way):
// two relays that get a chunk at about the same time pass it to each
// other. Plumtree ends such races by telling the sender, on the first
// duplicate, to announce from then on instead; GossipSub has no such
// message, so LazyPush infers it from a peer's IDONTWANTs, after
// OfferMinSamples offers, and only on edges where the same end keeps
// getting chunks first. Those first offers are most of the crossed
// copies: with 3 instead of 8 they fell from 0.11 to 0.07 a chunk on the
// quick preset, but the seed preset lost 0.15 points and 0.18 s of p99
// for 0.01 copies (see OfferMinSamples). The choke extension (libp2p/specs#681, open;
// episub, libp2p/specs#413, before it) adds that message. A later mesh
// copy was queued, or was crawling over a slow uplink, when the
// IDONTWANT came: SkipHeld drops it before each write, but a write under
// way is not taken back, and pubsub does not take back an RPC it has
// queued (go-libp2p-pubsub#611; #648, open). A copy that came with
// a pull out is the repair's cost: the node cannot tell that an eager
// copy is on its way, so it pulls after the pull delay, or at once where
// pulls are mostly needed. GossipSub v1.4's PREAMBLE and IMRECEIVING
// (libp2p/specs#654, open) announce a message as it starts to arrive,
// which would let the pull wait; and pubsub asks every peer that
// announces a chunk and does not take an IWANT back when the chunk
// comes (go-libp2p-pubsub#606 and #618; #730, open, tracks them), of
// which the write path already does the first part (IWantRetry).
// Announcing every chunk and sending only what is asked for, GossipSub
// v2.0's IANNOUNCE and INEED (libp2p/specs#653; go-libp2p-pubsub#587, a
// draft), has no races but adds a round trip a hop: built here for 1×
// viewers (above) it took 0.04 copies off and added 0.16 s to p99 on the
// quick preset, and played 94.32% against 99.25% on the seed preset.
//
// Latency. p99 is depth times about 90 ms a hop, two thirds of it the
// link: 12 hops at p99. 1 s needs strong relays near the source, so that
// the p99 chunk passes at most about 10. pubsub keeps mesh peers picked
// at random from those connected until a score or a PRUNE removes them,
// with one degree for the whole router, fixed when it is built; gridcast
// steers the mesh through scores (the source's feeders, weak viewers
// keeping to strong ones) and PreferFasterFeeders, and every further
// steering measured ("What did not give them a feeder") cost more than
// it gained. Receiver-chosen feeders (the choke extension again) would
// let a viewer keep its fastest peers eager without regrafting.
//
// Continuity. Without churn the preset plays 99.99%; with it the misses
// follow departures without a goodbye. A viewer pings a mesh peer silent
// for 1 s (peer.DefaultViewerMeshSilence) and drops it if it does not
// answer within 2 s (peer.MeshPingTimeout); the viewers below pull from
// lazy peers meanwhile. No pubsub limit was found behind this one: a
// shorter timeout drops live peers (33 in the seed preset's first second
// at 1 s), and every lever measured for it is above.
//
// # Hostile peers
//
// Gossip is bounded so that a peer cannot spend a node's upload by asking:
// a node reads at most MaxIHaveLength chunk IDs of a peer's IHAVEs per
// heartbeat (an honest IHAVE holds a few dozen), answers a peer's IWANT for
// a chunk once (ViewerGossipRetransmission), and the source, which never
// gossips, answers none (SourceGossipRetransmission). Scoring does the
// rest: one rejected chunk puts its forwarder under GossipThreshold, three
// under GraylistThreshold, where peer.Node disconnects it.
//
// Every viewer relays by default. Because that spends the user's upload,
// the caller must show the user the cap (FormatRate(Limiter.Cap())) and
// how to change it, and should warn when Budget.Oversubscribed.
package relay
