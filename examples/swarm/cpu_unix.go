//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"
)

// cpuSeconds is the process's user plus system CPU time.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

// realNow reads the wall clock even inside a synctest bubble, where
// time.Now is virtual.
func realNow() time.Time {
	var tv syscall.Timeval
	if err := syscall.Gettimeofday(&tv); err != nil {
		return time.Time{}
	}
	return time.Unix(tv.Sec, int64(tv.Usec)*1000)
}

func numCPU() int { return runtime.NumCPU() }
