package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the writes of a child process and
// the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// scrape reads the admin listener's /metrics at admin as text.
func scrape(t *testing.T, admin string) []byte {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d, %v", resp.StatusCode, err)
	}
	return body
}

// parseSamples reads the samples of a text exposition into
// `name{label="value",...}` → value, as the exposition spells them.
func parseSamples(t *testing.T, text []byte) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// adminPools is GET /admin/pools, as far as the tests read it.
type adminPools []struct {
	Name     string `json:"name"`
	Ready    int    `json:"ready"`
	Starting int    `json:"starting"`
	// PricePerHour is one replica's price, USD per hour.
	PricePerHour float64 `json:"price_per_hour"`
}

// faultSum is a JSON sum request with id and rows rows of 4 elements,
// row i holding i+1 four times: the sum of row i is 4(i+1).
func faultSum(id string, rows int) []byte {
	data := make([]float32, 0, rows*4)
	for i := range rows {
		for range 4 {
			data = append(data, float32(i+1))
		}
	}
	b, _ := json.Marshal(map[string]any{
		"id":     id,
		"inputs": []map[string]any{{"name": "x", "datatype": "FP32", "shape": []int{rows, 4}, "data": data}},
	})
	return b
}
