package worker

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
)

func TestInProcessServesAsItsFlagsSay(t *testing.T) {
	var mu sync.Mutex
	var started []*Server
	var addrs []Announcement
	ip := InProcess{
		Configure: func(o *Options) { o.Garbage = o.Name == "cpu-2" },
		Started: func(s *Server, a Announcement) {
			mu.Lock()
			defer mu.Unlock()
			started, addrs = append(started, s), append(addrs, a)
		},
	}
	announced := make(lineWriter, 1)
	p, err := ip.Start([]string{"--name", "cpu-2", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--base", "1ms"}, announced, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var a Announcement
	if err := json.Unmarshal([]byte(<-announced), &a); err != nil || a.HTTP == "" || a.GRPC == "" {
		t.Fatalf("announcement %+v: %v", a, err)
	}
	resp, err := http.Get("http://" + a.HTTP + "/v2")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct{ Name string }
	err = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if err != nil || meta.Name != "cpu-2" {
		t.Errorf("server metadata name %q (%v), want cpu-2", meta.Name, err)
	}
	mu.Lock()
	if len(started) != 1 || started[0].garbage == nil || addrs[0] != a {
		t.Errorf("Started saw %d servers at %v; want 1 at %v, configured with garbage", len(started), addrs, a)
	}
	mu.Unlock()
	if p.Pid() != 0 {
		t.Errorf("Pid() = %d, want 0", p.Pid())
	}
	if err := p.Terminate(); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Errorf("Wait after Terminate: %v", err)
	}
}

func TestInProcessRefusesWhatItCannotDo(t *testing.T) {
	for name, args := range map[string][]string{
		"stdin":     {"--exit-on-stdin-close"},
		"bad flag":  {"--gpus", "2"},
		"bad value": {"--base", "-1ms"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := (InProcess{}).Start(args, io.Discard, io.Discard); err == nil {
				t.Errorf("Start(%q) succeeded, want an error", args)
			}
		})
	}
	_, err := (InProcess{}).Start([]string{"--slowdown", "-1"}, io.Discard, io.Discard)
	if !errors.Is(err, ErrOptions) {
		t.Errorf("negative slowdown: %v, want ErrOptions", err)
	}
}
