package trace

// State is a TCP connection state, as RFC 9293 section 3.3.2 names them.
// The zero value is Closed.
type State uint8

// The TCP states.
const (
	Closed State = iota
	Listen
	SynSent
	SynReceived
	Established
	FinWait1
	FinWait2
	CloseWait
	Closing
	LastAck
	TimeWait
)

var stateNames = [...]string{
	Closed:      "CLOSED",
	Listen:      "LISTEN",
	SynSent:     "SYN-SENT",
	SynReceived: "SYN-RECEIVED",
	Established: "ESTABLISHED",
	FinWait1:    "FIN-WAIT-1",
	FinWait2:    "FIN-WAIT-2",
	CloseWait:   "CLOSE-WAIT",
	Closing:     "CLOSING",
	LastAck:     "LAST-ACK",
	TimeWait:    "TIME-WAIT",
}

// String gives the RFC 9293 name, such as "SYN-SENT" or "TIME-WAIT".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// States are the two sides' states at one moment.
type States struct {
	Client, Server State
}

// Direction says which way a segment goes.
type Direction uint8

// The two directions.
const (
	ClientToServer Direction = iota
	ServerToClient
)

// String gives "client→server" or "server→client".
func (d Direction) String() string {
	if d == ServerToClient {
		return "server→client"
	}
	return "client→server"
}

// linuxStates maps the numbers of Linux's include/net/tcp_states.h (what
// TCP_INFO, sock_diag and the sock:inet_sock_set_state tracepoint report)
// to States. Linux has no state for the transient NEW_SYN_RECV beyond
// SYN-RECEIVED, and none for BOUND_INACTIVE.
var linuxStates = map[uint8]State{
	1:  Established,
	2:  SynSent,
	3:  SynReceived,
	4:  FinWait1,
	5:  FinWait2,
	6:  TimeWait,
	7:  Closed,
	8:  CloseWait,
	9:  LastAck,
	10: Listen,
	11: Closing,
	12: SynReceived, // TCP_NEW_SYN_RECV: a request socket, not yet a full one
}

// StateFromLinux gives the State for a Linux TCP state number, as the
// kernel reports it (TCP_INFO's tcpi_state, sock_diag, the
// sock:inet_sock_set_state tracepoint), and false for a number it does not
// know. It lets a caller show the kernel's own view beside the inferred one.
func StateFromLinux(n uint8) (State, bool) {
	s, ok := linuxStates[n]
	return s, ok
}
