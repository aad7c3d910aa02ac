package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-gateway/sluice/configs"
)

func TestCheckAuthExposure(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		http, grpc string
		insecure   bool
		want       []string // in the error; nil for none
	}{
		{name: "loopback", mode: "none", http: "127.0.0.1:8080", grpc: "127.0.0.1:8081"},
		{name: "other loopbacks", mode: "none", http: "localhost:8080", grpc: "[::1]:8081"},
		{name: "all of 127/8", mode: "none", http: "127.0.0.2:8080"},
		{name: "every interface", mode: "none", http: "0.0.0.0:8080", want: []string{`listen.http "0.0.0.0:8080" is reachable`, "auth.mode: keys", "--insecure"}},
		{name: "empty host", mode: "none", http: "127.0.0.1:8080", grpc: ":8081", want: []string{`listen.grpc ":8081" is reachable`}},
		{name: "host name", mode: "none", http: "example.com:80", want: []string{`listen.http "example.com:80"`}},
		{name: "both", mode: "none", http: "[::]:80", grpc: "10.0.0.1:81", want: []string{`listen.http "[::]:80" and listen.grpc "10.0.0.1:81" are reachable`}},
		{name: "insecure", mode: "none", http: "0.0.0.0:8080", insecure: true},
		{name: "keys", mode: "keys", http: "0.0.0.0:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &configs.Config{Auth: configs.Auth{Mode: tt.mode}, Listen: configs.Listen{HTTP: tt.http, GRPC: tt.grpc}}
			err := CheckExposure(cfg, tt.insecure)
			if (err != nil) != (tt.want != nil) || (err != nil && !errors.Is(err, errExposed)) {
				t.Fatalf("CheckExposure = %v, want an error: %v", err, tt.want != nil)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
