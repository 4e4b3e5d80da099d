package nattest_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// The simulated internet is one bridge in a namespace of its own,
// carrying TEST-NET-3, so no address here can be anybody's real one. Every
// node and router has a namespace; no link or address is ever made in the
// namespace the test runs in.
const (
	publicNet     = "203.0.113.0/24"
	broadcasterIP = "203.0.113.10"
	relayIP       = "203.0.113.20"
	natAIP        = "203.0.113.101" // router A's public side
	natBIP        = "203.0.113.102" // router B's public side
	viewerAIP     = "10.0.1.2"
	viewerBIP     = "10.0.2.2"
	// port is every node's TCP and QUIC port. Masquerade keeps a source
	// port that is free, so a viewer's NAT mapping is its listen port.
	port = 4001
)

// The namespaces, by role; a run's prefix goes in front of each.
const (
	nsInternet    = "inet"
	nsBroadcaster = "bc"
	nsRelay       = "relay"
	nsRouterA     = "ra"
	nsViewerA     = "va"
	nsRouterB     = "rb"
	nsViewerB     = "vb"
)

// nsPrefix starts the name of every namespace the test makes, followed
// by the test process's ID.
const nsPrefix = "gcnat"

// topology is the set of namespaces of one run.
type topology struct{ prefix string }

// runs tells apart the runs of -count=N in one process.
var runs atomic.Int32

func (tp topology) ns(role string) string { return tp.prefix + role }

// ip runs iproute2's ip and returns its output in the error.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// inNS runs a command inside namespace ns with stdin as its input.
func inNS(ns, stdin string, args ...string) error {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip netns exec %s %s: %v: %s", ns, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// newTopology builds the internet, the two public hosts and the two home
// networks, and deletes them all when the test ends. It skips the test
// where the machine cannot: without root (CAP_NET_ADMIN), iproute2,
// nftables or nf_tables in the kernel.
func newTopology(t *testing.T) topology {
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (Debian packages iproute2 and nftables): %v", tool, err)
		}
	}
	removeStale(t)
	tp := topology{prefix: fmt.Sprintf("%s%d-%d-", nsPrefix, os.Getpid(), runs.Add(1))}
	roles := []string{nsInternet, nsBroadcaster, nsRelay, nsRouterA, nsViewerA, nsRouterB, nsViewerB}
	for i, role := range roles {
		if err := ip("netns", "add", tp.ns(role)); err != nil {
			if i == 0 {
				t.Skipf("cannot create a network namespace (needs root or CAP_NET_ADMIN): %v", err)
			}
			require.NoError(t, err)
		}
		// Deleting a namespace deletes its links, and the veth peers of
		// those in other namespaces.
		t.Cleanup(func() {
			if err := ip("netns", "del", tp.ns(role)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
	}
	if err := inNS(tp.ns(nsRouterA), "", "nft", "add", "table", "ip", "probe"); err != nil {
		t.Skipf("nftables does not work here (kernel without nf_tables?): %v", err)
	}

	inet := tp.ns(nsInternet)
	run := func(args ...string) { t.Helper(); require.NoError(t, ip(args...)) }
	for _, role := range roles {
		run("-n", tp.ns(role), "link", "set", "dev", "lo", "up")
	}
	run("-n", inet, "link", "add", "name", "br0", "type", "bridge")
	run("-n", inet, "link", "set", "dev", "br0", "up")
	// plug connects a namespace to the internet bridge through a link
	// named dev on its side and role on the bridge's.
	plug := func(role, dev, addr string) {
		run("-n", tp.ns(role), "link", "add", "name", dev, "type", "veth", "peer", "name", role, "netns", inet)
		run("-n", inet, "link", "set", "dev", role, "master", "br0", "up")
		run("-n", tp.ns(role), "addr", "add", addr+"/24", "dev", dev)
		run("-n", tp.ns(role), "link", "set", "dev", dev, "up")
	}
	plug(nsBroadcaster, "eth0", broadcasterIP)
	plug(nsRelay, "eth0", relayIP)
	plug(nsRouterA, "wan", natAIP)
	plug(nsRouterB, "wan", natBIP)
	home(t, tp, nsRouterA, nsViewerA, viewerAIP, "")
	// Viewer B cannot reach the broadcaster at all: whatever reaches it
	// comes through viewer A.
	home(t, tp, nsRouterB, nsViewerB, viewerBIP, broadcasterIP)
	return tp
}

// removeStale deletes the namespaces of earlier runs whose process is
// gone: a run killed before its cleanup (go test's timeout) leaves them.
func removeStale(t *testing.T) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return // newTopology finds out why
	}
	for line := range strings.Lines(string(out)) {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, nsPrefix)
		pid, _, _ := strings.Cut(rest, "-")
		if _, err := strconv.Atoi(pid); !ok || err != nil {
			continue
		}
		if _, err := os.Stat("/proc/" + pid); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := ip("netns", "del", name); err != nil {
			t.Logf("stale namespace: %v", err)
		}
	}
}

// home builds a home network: the viewer's namespace on a /24 behind
// the router's, which forwards and masquerades as a home router does,
// dropping traffic to blocked (if set).
func home(t *testing.T, tp topology, router, viewer, viewerIP, blocked string) {
	t.Helper()
	gateway := strings.TrimSuffix(viewerIP, ".2") + ".1"
	r, v := tp.ns(router), tp.ns(viewer)
	for _, args := range [][]string{
		{"-n", v, "link", "add", "name", "eth0", "type", "veth", "peer", "name", "lan", "netns", r},
		{"-n", r, "addr", "add", gateway + "/24", "dev", "lan"},
		{"-n", r, "link", "set", "dev", "lan", "up"},
		{"-n", v, "addr", "add", viewerIP + "/24", "dev", "eth0"},
		{"-n", v, "link", "set", "dev", "eth0", "up"},
		{"-n", v, "route", "add", "default", "via", gateway},
	} {
		require.NoError(t, ip(args...))
	}
	require.NoError(t, inNS(r, "1\n", "tee", "/proc/sys/net/ipv4/ip_forward"))
	require.NoError(t, inNS(r, natRules(blocked), "nft", "-f", "-"))
}

// natRules is a home router's firewall. Unsolicited packets from the
// internet are dropped in the input and forward hooks, before conntrack
// confirms an entry for them: a hole-punching packet that arrives before
// the viewer's own has gone out must leave no entry behind, or the
// viewer's packet would clash with it and masquerade would pick another
// port, as a symmetric NAT does.
func natRules(blocked string) string {
	var block string
	if blocked != "" {
		block = fmt.Sprintf("ip daddr %s drop\n", blocked)
	}
	return fmt.Sprintf(`flush ruleset
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan" masquerade
	}
}
table ip filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname { "lo", "lan" } accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		%siifname "lan" oifname "wan" accept
	}
}
`, block)
}
