package gateway

import (
	"errors"
	"testing"
)

// TestBodyBytesReserve fills a bound with large claims and checks that
// its last eighth stays for small ones.
func TestBodyBytesReserve(t *testing.T) {
	b := &bodyBytes{limit: 8 * smallClaim * 4} // a reserve of 4 small claims
	var large []*claim
	for {
		c := &claim{from: b}
		if err := c.resize(3 * smallClaim); err != nil {
			if !errors.Is(err, ErrOverloaded) {
				t.Fatalf("large claim: %v, want ErrOverloaded", err)
			}
			break
		}
		large = append(large, c)
	}
	if got, most := b.held.Load(), b.limit-b.limit/8; got > most {
		t.Fatalf("large claims hold %d, want at most %d", got, most)
	}
	small := 0
	for small < 100 && (&claim{from: b}).resize(smallClaim) == nil {
		small++
	}
	if small < 4 {
		t.Errorf("%d small claims fit beside the large ones, want the reserve's 4 at least", small)
	}
	if b.held.Load() > b.limit {
		t.Errorf("bound holds %d, over its limit %d", b.held.Load(), b.limit)
	}
	for _, c := range large {
		c.release()
	}
}
