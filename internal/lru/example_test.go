package lru_test

import (
	"fmt"

	"github.com/gridcast/gridcast/internal/lru"
)

func ExampleCache() {
	c := lru.New[string, int](2)
	c.Put("alice", 1)
	c.Put("bob", 2)
	c.Get("alice")    // alice is now the most recently touched
	c.Put("carol", 3) // so bob is forgotten to make room
	for k, v := range c.All() {
		fmt.Println(k, v)
	}
	_, ok := c.Get("bob")
	fmt.Println("bob:", ok)
	// Output:
	// carol 3
	// alice 1
	// bob: false
}
