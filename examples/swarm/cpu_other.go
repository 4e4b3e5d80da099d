//go:build !unix

package main

import (
	"runtime"
	"time"
)

// cpuSeconds is not measured on this platform; the report shows 0.
func cpuSeconds() float64 { return 0 }

// realNow is time.Now: outside unix, virtual-time wall figures are not
// measured.
func realNow() time.Time { return time.Now() }

func numCPU() int { return runtime.NumCPU() }
