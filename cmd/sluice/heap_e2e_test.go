package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

// samplePeakHeap samples serve's heap in use, from its metrics, every
// interval until the test ends or peak is called, which returns the
// largest sample. Each sample costs serve a gather of its metrics: a
// test that measures latency samples seldom.
func samplePeakHeap(t *testing.T, admin string, interval time.Duration) (peak func() float64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var mu sync.Mutex
	var most float64
	var wg sync.WaitGroup
	wg.Go(func() {
		for tick := time.NewTicker(interval); ctx.Err() == nil; <-tick.C {
			v, err := heapInUse(admin)
			if err != nil {
				continue
			}
			mu.Lock()
			most = max(most, v)
			mu.Unlock()
		}
	})
	return func() float64 {
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return most
	}
}

var heapLine = regexp.MustCompile(`(?m)^go_memstats_heap_inuse_bytes (\S+)$`)

// heapInUse reads serve's heap in use, in bytes, from its metrics.
func heapInUse(admin string) (float64, error) {
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := heapLine.FindSubmatch(body)
	if m == nil {
		return 0, errors.New("serve's metrics have no go_memstats_heap_inuse_bytes")
	}
	var v float64
	_, err = fmt.Sscan(string(m[1]), &v)
	return v, err
}
