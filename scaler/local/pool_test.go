package local

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPoolSpecValidate(t *testing.T) {
	tests := []struct {
		name string
		spec PoolSpec
		want error
	}{
		{"valid", PoolSpec{Name: "cpu", Args: []string{"--base", "32ms"}, Replicas: 2}, nil},
		{"zero replicas", PoolSpec{Name: "cpu"}, nil},
		{"flag value that looks reserved", PoolSpec{Name: "cpu", Args: []string{"--model", "name"}}, nil},
		{"empty name", PoolSpec{Replicas: 1}, ErrInvalidSpec},
		{"name with space", PoolSpec{Name: "c pu"}, ErrInvalidSpec},
		{"negative replicas", PoolSpec{Name: "cpu", Replicas: -1}, ErrInvalidSpec},
		{"reserved --http", PoolSpec{Name: "cpu", Args: []string{"--http", ":80"}}, ErrInvalidSpec},
		{"reserved -grpc=", PoolSpec{Name: "cpu", Args: []string{"-grpc=:81"}}, ErrInvalidSpec},
		{"reserved --name", PoolSpec{Name: "cpu", Args: []string{"--name=x"}}, ErrInvalidSpec},
		{"reserved --exit-on-stdin-close", PoolSpec{Name: "cpu", Args: []string{"--exit-on-stdin-close"}}, ErrInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.spec.validate(); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("validate() = %v, want %v", err, tt.want)
			}
		})
	}
}

// testPool returns a pool of n workers that have announced addresses;
// ready lists the sequence numbers of the ready ones.
func testPool(n int, ready ...int) *pool {
	p := &pool{spec: PoolSpec{Name: "cpu"}}
	for range n {
		w := p.newWorker(context.Background())
		w.addrs = addrs{HTTP: "127.0.0.1:1", GRPC: "127.0.0.1:2"}
	}
	for _, seq := range ready {
		p.workers[seq-1].ready = true
	}
	return p
}

func ids(ws []*worker) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.id)
	}
	return out
}

func TestVictims(t *testing.T) {
	tests := []struct {
		name string
		pool *pool
		n    int
		want []string
	}{
		{"none", testPool(3, 1, 2, 3), 0, nil},
		{"negative is none", testPool(3, 1, 2, 3), -1, nil},
		{"newest ready first", testPool(3, 1, 2, 3), 2, []string{"cpu-3", "cpu-2"}},
		{"not ready before ready", testPool(4, 1, 3, 4), 2, []string{"cpu-2", "cpu-4"}},
		{"newest of the not ready first", testPool(4, 1), 2, []string{"cpu-4", "cpu-3"}},
		{"more than there are", testPool(2, 1), 5, []string{"cpu-2", "cpu-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ids(tt.pool.workers)
			got := ids(victims(tt.pool.workers, tt.n))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("victims(%d) mismatch (-want +got):\n%s", tt.n, diff)
			}
			if diff := cmp.Diff(before, ids(tt.pool.workers)); diff != "" {
				t.Errorf("victims changed the pool's order (-before +after):\n%s", diff)
			}
		})
	}
}

func TestPoolEndpointsAndCounts(t *testing.T) {
	p := testPool(3, 2)
	p.newWorker(context.Background()) // cpu-4 has not announced yet
	p.remove([]*worker{p.workers[0]})
	want := []Endpoint{
		{ID: "cpu-2", Pool: "cpu", HTTP: "127.0.0.1:1", GRPC: "127.0.0.1:2", Ready: true},
		{ID: "cpu-3", Pool: "cpu", HTTP: "127.0.0.1:1", GRPC: "127.0.0.1:2"},
	}
	if diff := cmp.Diff(want, p.endpoints(false)); diff != "" {
		t.Errorf("endpoints(false) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:1], p.endpoints(true)); diff != "" {
		t.Errorf("endpoints(true) mismatch (-want +got):\n%s", diff)
	}
	if ready, starting := p.counts(); ready != 1 || starting != 2 {
		t.Errorf("counts() = %d, %d, want 1, 2", ready, starting)
	}
}
