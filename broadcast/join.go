package broadcast

import (
	"fmt"

	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// membership is one node's hold on a channel's topic: the validator that
// guards it and the joined topic handle.
type membership struct {
	ps    *pubsub.PubSub
	name  string
	topic *pubsub.Topic
}

// join registers the channel's validator and joins its topic with relay's
// scoring. A node can hold one membership per channel.
func join(node Node, ch Channel, maxPayload int, window uint64) (*membership, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	v, err := newValidator(ch, maxPayload, window)
	if err != nil {
		return nil, err
	}
	ps, name := node.PubSub(), ch.Topic()
	if err := ps.RegisterTopicValidator(name, v.validate, pubsub.WithValidatorInline(true)); err != nil {
		return nil, fmt.Errorf("broadcast: register validator for %s: %w", ch, err)
	}
	topic, err := ps.Join(name)
	if err != nil {
		ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("broadcast: join %s: %w", ch, err)
	}
	if err := topic.SetScoreParams(relay.TopicScoreParams()); err != nil {
		topic.Close()
		ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("broadcast: score params for %s: %w", ch, err)
	}
	return &membership{ps: ps, name: name, topic: topic}, nil
}

// leave closes the topic handle and drops the validator; the caller has
// cancelled its subscription or relay first, or Close refuses.
func (m *membership) leave() error {
	err := m.topic.Close()
	if uerr := m.ps.UnregisterTopicValidator(m.name); err == nil {
		err = uerr
	}
	return err
}
