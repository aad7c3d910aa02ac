package configs

import "testing"

// listenBad lists the listen section's bad files and their problems, in order.
var listenBad = []badCase{
	{"xds-listen", []string{"xds-listen.bad.yaml:3: listen.xds:"}},
	{"bad-listen", []string{`bad-listen.bad.yaml:3: listen.grpc: "127.0.0.1" is not host:port: missing port`}},
	{"bad-port", []string{`bad-port.bad.yaml:2: listen.admin: "localhost:99999" is not host:port: port "99999"`}},
	{"shared-listen", []string{`shared-listen.bad.yaml:3: listen.admin: "127.0.0.1:8080" duplicates listen.http`}},
}

func TestListenBad(t *testing.T) { loadBad(t, listenBad) }

func TestAdminHostDefault(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		{"no host binds loopback", ":9090", "127.0.0.1:9090"},
		{"explicit loopback kept", "127.0.0.1:9090", "127.0.0.1:9090"},
		{"every interface kept", "0.0.0.0:9090", "0.0.0.0:9090"},
		{"IPv6 kept", "[::1]:9090", "[::1]:9090"},
		{"off stays off", "", ""},
		{"malformed left for validation", "9090", "9090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Listen: Listen{Admin: tt.addr}}
			cfg.ApplyDefaults()
			if cfg.Listen.Admin != tt.want {
				t.Errorf("listen.admin %q became %q, want %q", tt.addr, cfg.Listen.Admin, tt.want)
			}
		})
	}
}
