//go:build race

package main

// raceEnabled: see TestSmallSwarm.
const raceEnabled = true
