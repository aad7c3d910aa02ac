package status

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

// maxStatusBody bounds the answer of GET /admin/status, in bytes.
const maxStatusBody = 16 << 20

// Fetch reads GET /admin/status from the admin listener at admin, a base
// URL or a host:port (then http), sending token as a bearer token unless
// it is empty. It fails, wrapping ErrUnreachable, when no admin listener
// answers there, and ErrRefused when it answers with an error or
// something that is not a View.
func Fetch(ctx context.Context, client *http.Client, admin, token string) (View, error) {
	base := baseURL(admin)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/admin/status", nil)
	if err != nil {
		return View{}, fmt.Errorf("sluice status: admin URL %q: %w", admin, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return View{}, fmt.Errorf("%w at %s (is `sluice serve` running with listen.admin there?): %w", ErrUnreachable, base, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatusBody))
	if err != nil {
		return View{}, fmt.Errorf("%w at %s: reading the answer: %w", ErrUnreachable, base, err)
	}
	if resp.StatusCode != http.StatusOK {
		return View{}, fmt.Errorf("%w: GET %s/admin/status: %s: %s", ErrRefused, base, resp.Status, strings.TrimSpace(string(body)))
	}
	var v View
	if err := json.Unmarshal(body, &v); err != nil {
		return View{}, fmt.Errorf("%w: GET %s/admin/status: not a status: %w", ErrRefused, base, err)
	}
	return v, nil
}

// baseURL returns admin without trailing slashes, with http://
// prepended when it names no scheme.
func baseURL(admin string) string {
	if !strings.Contains(admin, "://") {
		admin = "http://" + admin
	}
	return strings.TrimRight(admin, "/")
}

// unwrapURLError drops the method and URL a *url.Error repeats.
func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
