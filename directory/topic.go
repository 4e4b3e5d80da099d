package directory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// A router joins a topic and registers its validator once, but one node
// may run a Directory, several Announcers and a Presence on the same
// topics. So the package keeps one refcounted hold per router and topic.
var registry = struct {
	mu     sync.Mutex
	topics map[topicKey]*sharedTopic // guarded by mu; one entry per joined topic
}{topics: make(map[topicKey]*sharedTopic)}

type topicKey struct {
	ps   *pubsub.PubSub
	name string
}

// sharedTopic is one router's hold on one topic.
type sharedTopic struct {
	key   topicKey
	topic *pubsub.Topic
	// validator is what the first user registered; later users share it,
	// with its state.
	validator any
	refs      int // guarded by registry.mu
}

// acquire returns the router's hold on topic name. On first use it joins
// the topic and registers the validate function newValidator returns,
// keeping the validator itself (its state) in the hold.
func acquire(ps *pubsub.PubSub, name string, newValidator func() (any, pubsub.ValidatorEx)) (*sharedTopic, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	key := topicKey{ps: ps, name: name}
	if s, ok := registry.topics[key]; ok {
		s.refs++
		return s, nil
	}
	state, validate := newValidator()
	if err := ps.RegisterTopicValidator(name, validate, pubsub.WithValidatorInline(true)); err != nil {
		return nil, fmt.Errorf("directory: register validator for %s: %w", name, err)
	}
	topic, err := ps.Join(name)
	if err != nil {
		ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("directory: join %s: %w", name, err)
	}
	if err := topic.SetScoreParams(relay.TopicScoreParams()); err != nil {
		topic.Close()
		ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("directory: score params for %s: %w", name, err)
	}
	s := &sharedTopic{key: key, topic: topic, validator: state, refs: 1}
	registry.topics[key] = s
	return s, nil
}

// release gives up one hold; the last closes the topic and drops the
// validator. The caller has cancelled its subscription or relay first.
func (s *sharedTopic) release() error {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if s.refs--; s.refs > 0 {
		return nil
	}
	delete(registry.topics, s.key)
	err := s.topic.Close()
	if uerr := s.key.ps.UnregisterTopicValidator(s.key.name); err == nil {
		err = uerr
	}
	// A router already stopped (its node closed first) took the topic
	// down with it.
	if errors.Is(err, pubsub.ErrTopicClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
