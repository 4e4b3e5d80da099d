package relay_test

import (
	"context"
	"fmt"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

func ExampleParseRate() {
	for _, s := range []string{"300k", "2Mbit/s", "64kB/s", "x2"} {
		v, err := relay.ParseRate(s)
		fmt.Println(v, err)
	}
	// Output:
	// 37500 <nil>
	// 250000 <nil>
	// 64000 <nil>
	// 0 relay: bad rate "x2": no number
}

func ExampleFormatRate() {
	fmt.Println(relay.FormatRate(37500))
	fmt.Println(relay.FormatRate(relay.Cable().Upload))
	fmt.Println(relay.FormatRate(0))
	// Output:
	// 300 kbit/s
	// 2 Mbit/s
	// unlimited
}

// The degree a budget buys for a 300 kbit/s stream.
func ExampleBudget_Degree() {
	bitrate, _ := relay.ParseRate("300k")
	for _, b := range []struct {
		name string
		b    relay.Budget
	}{
		{"1×", relay.Multiple(bitrate, 1)},
		{"ADSL", relay.ADSL()},
		{"3×", relay.Multiple(bitrate, 3)},
		{"4×", relay.Multiple(bitrate, 4)},
		{"Cable", relay.Cable()},
		{"10×", relay.Multiple(bitrate, 10)},
		{"Fibre", relay.Fibre()},
	} {
		v := b.b.Degree(bitrate, relay.RoleViewer)
		s := b.b.Degree(bitrate, relay.RoleSource)
		fmt.Printf("%-5s copies %2d  viewer D/Dlo/Dhi/Dlazy %d/%d/%d/%d  source %d/%d/%d/%d\n",
			b.name, b.b.Copies(bitrate), v.D, v.Dlo, v.Dhi, v.Dlazy, s.D, s.Dlo, s.Dhi, s.Dlazy)
	}
	// Output:
	// 1×    copies  0  viewer D/Dlo/Dhi/Dlazy 2/2/2/0  source 2/2/2/0
	// ADSL  copies  1  viewer D/Dlo/Dhi/Dlazy 2/2/2/0  source 2/2/2/0
	// 3×    copies  2  viewer D/Dlo/Dhi/Dlazy 3/2/4/0  source 2/2/2/0
	// 4×    copies  3  viewer D/Dlo/Dhi/Dlazy 3/2/4/4  source 2/2/3/0
	// Cable copies  6  viewer D/Dlo/Dhi/Dlazy 6/5/7/6  source 5/4/6/0
	// 10×   copies  9  viewer D/Dlo/Dhi/Dlazy 8/6/10/6  source 7/6/9/0
	// Fibre copies 12  viewer D/Dlo/Dhi/Dlazy 9/7/12/6  source 9/7/12/0
}

// Wiring the policy into a router: the limiter's host, the options, and the
// topic's score parameters.
func ExampleBudget_PubSubOptions() {
	ctx := context.Background()
	h, err := libp2p.New(libp2p.NoListenAddrs)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()

	bitrate := int64(300_000 / 8)
	budget := relay.ADSL()
	monitor := relay.NewMonitor()
	// Mesh peers first: repair to others uses only spare upload.
	limiter := relay.NewLimiter(budget.Upload, relay.PrioritizePeers(monitor.InMesh))
	defer limiter.Close()

	ps, err := pubsub.NewGossipSub(ctx, limiter.WrapHost(h), budget.PubSubOptions(bitrate, relay.RoleViewer, monitor)...)
	if err != nil {
		fmt.Println(err)
		return
	}
	topic, err := ps.Join("gridcast/channel")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := topic.SetScoreParams(relay.TopicScoreParams()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("relaying at most", relay.FormatRate(limiter.Cap()))
	// Output:
	// relaying at most 512 kbit/s
}
