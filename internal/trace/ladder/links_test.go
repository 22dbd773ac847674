package ladder

import (
	"bytes"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// TestRenderLinksGolden draws the first SYN as each link of the lan and
// gateway scenarios carried it (package tracetest builds the frames, as
// the demo captures them), and nothing for a scenario without links.
func TestRenderLinksGolden(t *testing.T) {
	clientLink, serverLink := tracetest.Gateway()
	tests := []struct {
		name  string
		links []trace.LinkView
	}{
		{"links_lan", []trace.LinkView{{Ends: [2]trace.Role{trace.RoleClient, trace.RoleServer}, Host: trace.RoleClient, Interface: "eth0",
			Owners:       map[trace.MAC]trace.Owner{tracetest.LANClientMAC: {Role: trace.RoleClient, Interface: "eth0"}, tracetest.LANServerMAC: {Role: trace.RoleServer, Interface: "eth0"}},
			Conversation: follow(t, trace.KindTCP, tracetest.LANClient, tracetest.LANServer, st(trace.Closed, trace.Listen), tracetest.LAN())}}},
		{"links_gateway", []trace.LinkView{
			{Ends: [2]trace.Role{trace.RoleClient, trace.RoleRouter}, Host: trace.RoleRouter, Interface: "eth0", Router: tracetest.GWRouter1,
				Owners:       map[trace.MAC]trace.Owner{tracetest.GWClientMAC: {Role: trace.RoleClient, Interface: "eth0"}, tracetest.GWRouter1MAC: {Role: trace.RoleRouter, Interface: "eth0"}},
				Conversation: follow(t, trace.KindTCP, tracetest.GWClient, tracetest.GWServer, st(trace.Closed, trace.Listen), clientLink, tracetest.GWRouter1)},
			{Ends: [2]trace.Role{trace.RoleRouter, trace.RoleServer}, Host: trace.RoleRouter, Interface: "eth1",
				Owners:       map[trace.MAC]trace.Owner{tracetest.GWServerMAC: {Role: trace.RoleServer, Interface: "eth0"}, tracetest.GWRouter2MAC: {Role: trace.RoleRouter, Interface: "eth1"}},
				Conversation: follow(t, trace.KindTCP, tracetest.GWClient, tracetest.GWServer, st(trace.Closed, trace.Listen), serverLink, tracetest.GWRouter2)},
		}},
		{"links_none", nil},
	}
	for _, tt := range tests {
		for _, l := range []lang.Lang{lang.English, lang.Chinese} {
			name := tt.name
			if l == lang.Chinese {
				name += "_zh"
			}
			t.Run(name, func(t *testing.T) {
				var got bytes.Buffer
				if err := RenderLinks(&got, tt.links, l); err != nil {
					t.Fatal(err)
				}
				if tt.links == nil {
					if got.Len() != 0 {
						t.Errorf("RenderLinks without links wrote %q; want nothing", got.String())
					}
					return
				}
				checkGolden(t, name, got.Bytes())
			})
		}
	}
}
