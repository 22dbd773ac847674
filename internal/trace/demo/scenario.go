package demo

import (
	"time"
)

// Scenario names one of the demo's scripted conversations.
type Scenario string

// The demo's scenarios.
const (
	// ScenarioNormal: handshake, two exchanges, the client half-closes,
	// the server closes after Demo.CloseDelay.
	ScenarioNormal Scenario = "normal"
	// ScenarioHalfClose: the client sends a line and shuts down its
	// sending side (CloseWrite) before reading; the server reads to the
	// end, waits Demo.CloseDelay, answers, and closes once its answer is
	// acknowledged: data flows after the first FIN, while the connection is
	// half open.
	ScenarioHalfClose Scenario = "halfclose"
	// ScenarioReset: the client aborts after one exchange (SO_LINGER 0),
	// which sends RST instead of FIN.
	ScenarioReset Scenario = "reset"
	// ScenarioRefused: nobody listens on the port, so the SYN is answered
	// by RST.
	ScenarioRefused Scenario = "refused"
	// ScenarioUDP: two datagrams and their replies; no handshake, no
	// teardown.
	ScenarioUDP Scenario = "udp"
	// ScenarioLAN: the normal conversation between two hosts on one
	// subnet, 172.16.10.10/24 and 172.16.10.11/24, joined by a veth pair
	// and captured on the client's link with ARP: the ARP request and
	// reply come before the SYN.
	ScenarioLAN Scenario = "lan"
	// ScenarioGateway: the normal conversation between 192.168.1.2/24 and
	// 192.168.2.2/24 through a router (192.168.1.1 and 192.168.2.1),
	// captured on both of the router's links (Result.Links).
	ScenarioGateway Scenario = "gateway"
)

// Scenarios lists the demo's scenarios, the default first.
var Scenarios = []Scenario{ScenarioNormal, ScenarioHalfClose, ScenarioReset, ScenarioRefused, ScenarioUDP, ScenarioLAN, ScenarioGateway}

// LinkLayer reports whether the scenario runs between hosts on Ethernet
// links (veth pairs) rather than on lo, so that its frames' MAC addresses
// and ARP are worth showing.
func (s Scenario) LinkLayer() bool { return s == ScenarioLAN || s == ScenarioGateway }

// DefaultCloseDelay is how long the demo's server waits after the client's
// FIN before it closes (or, in the halfclose scenario, before it answers):
// longer than Linux's delayed ACK (about 40 ms), so that the server's ACK of
// the FIN goes as a segment of its own, the textbook's four steps.
const DefaultCloseDelay = 200 * time.Millisecond

// MaxCloseDelay bounds Demo.CloseDelay: each side of the demo gives up on
// its connection 5 s after it began, and a longer pause shows nothing new.
const MaxCloseDelay = 2 * time.Second

// UsesCloseDelay reports whether the scenario's server pauses for
// Demo.CloseDelay: the normal conversation (on lo, lan or gateway) before
// it closes, halfclose before it answers.
func (s Scenario) UsesCloseDelay() bool {
	return s == ScenarioNormal || s == ScenarioHalfClose || s.LinkLayer()
}
