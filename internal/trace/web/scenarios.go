package web

import (
	"net/http"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/demo"
)

// scenarioText is what the page's picker says of a scenario.
type scenarioText struct {
	Title, Description lang.Text
}

// scenarioTexts describes each of demo.Scenarios, in both languages, as
// upcase trace --help does.
var scenarioTexts = map[demo.Scenario]scenarioText{
	demo.ScenarioNormal: {
		lang.Text{En: "Normal", Zh: "正常通信"},
		lang.Text{En: `Connect, "hello" → "HELLO", a second line, the client closes, then the server: the three-way handshake and the four-way teardown.`,
			Zh: `建立连接，“hello” → “HELLO”，再发一行，客户端关闭，随后服务端关闭：三次握手与四次挥手。`},
	},
	demo.ScenarioHalfClose: {
		lang.Text{En: "Half-close", Zh: "半关闭"},
		lang.Text{En: "The client sends a line and shuts down its sending side (FIN) before reading; the server still answers while the connection is half open, then closes.",
			Zh: "客户端发出一行后先关闭自己的发送方向（FIN）再读；连接处于半关闭状态时，服务端仍然回答，然后关闭。"},
	},
	demo.ScenarioReset: {
		lang.Text{En: "Reset", Zh: "重置"},
		lang.Text{En: "The client aborts the connection (SO_LINGER 0): RST instead of FIN.",
			Zh: "客户端中止连接（SO_LINGER 为 0）：发送 RST 而不是 FIN。"},
	},
	demo.ScenarioRefused: {
		lang.Text{En: "Refused", Zh: "被拒绝"},
		lang.Text{En: "Nobody listens on the port: the SYN is answered by RST.",
			Zh: "端口上没有程序监听：SYN 得到的回答是 RST。"},
	},
	demo.ScenarioUDP: {
		lang.Text{En: "UDP", Zh: "UDP"},
		lang.Text{En: "Two datagrams and their replies: no handshake, no teardown, no acknowledgements.",
			Zh: "两个数据报及其回答：没有握手，没有挥手，也没有确认。"},
	},
	demo.ScenarioLAN: {
		lang.Text{En: "LAN", Zh: "局域网"},
		lang.Text{En: "The normal conversation between 172.16.10.10 and 172.16.10.11 on one link: MAC addresses, and the ARP request and reply before the SYN.",
			Zh: "172.16.10.10 与 172.16.10.11 在同一链路上的正常会话：MAC 地址，以及 SYN 之前的 ARP 请求与应答。"},
	},
	demo.ScenarioGateway: {
		lang.Text{En: "Gateway", Zh: "经过网关"},
		lang.Text{En: "Client 192.168.1.2 and server 192.168.2.2 through a router: the same packet on both links, the MAC addresses changing, the IP addresses staying, the TTL one less.",
			Zh: "客户端 192.168.1.2 经路由器访问服务端 192.168.2.2：同一个数据包出现在两条链路上，MAC 地址变了，IP 地址不变，TTL 减一。"},
	},
}

// scenario is one entry of /api/scenarios.
type scenario struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// serveScenarios lists the scenarios, the default first, in the request's
// language.
func serveScenarios(w http.ResponseWriter, r *http.Request) {
	l, err := requestLang(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	list := []scenario{}
	for _, sc := range demo.Scenarios {
		t := scenarioTexts[sc]
		list = append(list, scenario{Name: string(sc), Title: t.Title.In(l), Description: t.Description.In(l)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": list})
}
