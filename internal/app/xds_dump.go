package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// FetchXDSDump asks the admin listener at admin (host:port) of a running
// Sluice for its xDS snapshots as JSON (GET XDSPath): the one served to
// node, or every flavor's when node is empty. A refusal fails with the
// server's JSON error message, or its status when it gave none.
func FetchXDSDump(ctx context.Context, admin, node string) ([]byte, error) {
	u := url.URL{Scheme: "http", Host: admin, Path: XDSPath}
	if node != "" {
		u.RawQuery = url.Values{"node": {node}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", u.String(), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u.String(), errorMessage(resp.Status, body))
	}
	return body, nil
}

// errorMessage returns the "error" of a JSON error body, or the status.
func errorMessage(status string, body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return status
	}
	return e.Error
}
