package trace

import "github.com/upcase/upcase/internal/lang"

// Role names a host of a conversation as the learner meets it.
type Role string

// The roles. A router is a conversation's gateway (SetGateways): it sends
// and answers ARP messages of its own, and forwards the client's and the
// server's packets without being either.
const (
	RoleClient Role = "client"
	RoleServer Role = "server"
	RoleRouter Role = "router"
)

// From gives the role of the host that sent s's event.
func (c *Conversation) From(s Step) Role {
	if s.Event.Kind == KindARP && c.isGateway(s.Event.ARP.SenderIP) {
		return RoleRouter
	}
	if s.Dir == ServerToClient {
		return RoleServer
	}
	return RoleClient
}

// To gives the role of the host s's event was for.
func (c *Conversation) To(s Step) Role {
	if s.Event.Kind == KindARP && c.isGateway(s.Event.ARP.TargetIP) {
		return RoleRouter
	}
	if s.Dir == ServerToClient {
		return RoleClient
	}
	return RoleServer
}

// In names the role in l, in the lesson's words: client 客户端, server
// 服务端, router 路由器.
func (r Role) In(l lang.Lang) string {
	switch r {
	case RoleServer:
		return explainMsg.Server.In(l)
	case RoleRouter:
		return explainMsg.Router.In(l)
	}
	return explainMsg.Client.In(l)
}
