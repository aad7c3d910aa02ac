package costreport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxPoolsBody bounds the answer of GET /admin/pools, in bytes.
const maxPoolsBody = 16 << 20

// Fetch reads the pools of GET /admin/pools from the admin listener at
// admin, a base URL or a host:port (then http), sending token as a bearer
// token unless it is empty. It fails, wrapping ErrUnreachable, when no
// admin listener answers there, and ErrRefused when it answers with an
// error or something that is not a list of pools.
func Fetch(ctx context.Context, client *http.Client, admin, token string) ([]Pool, error) {
	base := admin
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	base = strings.TrimRight(base, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/admin/pools", nil)
	if err != nil {
		return nil, fmt.Errorf("sluice cost: admin URL %q: %w", admin, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w at %s (is `sluice serve` running with listen.admin there?): %w", ErrUnreachable, base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPoolsBody))
	if err != nil {
		return nil, fmt.Errorf("%w at %s: reading the answer: %w", ErrUnreachable, base, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s/admin/pools: %s: %s", ErrRefused, base, resp.Status, strings.TrimSpace(string(body)))
	}
	var pools []Pool
	if err := json.Unmarshal(body, &pools); err != nil {
		return nil, fmt.Errorf("%w: GET %s/admin/pools: not a list of pools: %w", ErrRefused, base, err)
	}
	return pools, nil
}
