package main

import (
	"encoding/json"
	"math"
	"time"
)

// RunResult is one measured run. This file holds what is measured, as kept
// for the table and written by -json: runs, per peer and cell, and the report.
type RunResult struct {
	Attempts int     `json:"attempts"` // 1 + reruns because of disturbance
	Seconds  float64 `json:"seconds"`  // wall time of the load generator (or the idle run)
	Error    string  `json:"error,omitempty"`

	// Load cells.
	Bench              map[string]any `json:"bench,omitempty"` // the load generator's JSON as printed
	Messages           float64        `json:"messages,omitempty"`
	MessagesEstimated  bool           `json:"messages_estimated,omitempty"` // no "messages" key: msgs_per_sec × duration
	CPUMessages        float64        `json:"cpu_messages,omitempty"`       // what server CPU is divided by: "sent" if given, else messages
	MsgsPerSec         float64        `json:"msgs_per_sec,omitempty"`
	P99us              float64        `json:"p99_us,omitempty"`
	Errors             int64          `json:"errors,omitempty"`
	Mismatches         int64          `json:"mismatches,omitempty"`
	ServerTicks        uint64         `json:"server_cpu_ticks,omitempty"`
	ServerCPUusPerMsg  float64        `json:"server_cpu_us_per_msg,omitempty"`
	ServerBusy         float64        `json:"server_cpu_share,omitempty"`
	ServerCPUIRQTicks  uint64         `json:"server_cpu_irq_softirq_ticks,omitempty"` // ticks sampled in irq/softirq on the server's CPU
	LoadgenCPUSeconds  float64        `json:"loadgen_cpu_seconds,omitempty"`          // utime+stime of the load generator (getrusage of the child)
	LoadgenCPUusPerMsg float64        `json:"loadgen_cpu_us_per_msg,omitempty"`       // that ÷ CPUMessages
	LoadgenBusy        float64        `json:"loadgen_cpu_share,omitempty"`            // that as a share of its one CPU
	Lost               int64          `json:"lost,omitempty"`                         // UDP: datagrams not answered in time
	CPUsBusyTicks      float64        `json:"cpus_busy_ticks,omitempty"`              // the two CPUs' time not idle, idle-transition overhead included
	OtherTicks         float64        `json:"other_ticks"`                            // other processes' CPU time plus steal
	OtherShare         float64        `json:"other_share"`                            // other_ticks as a share of the two CPUs
	Disturbed          bool           `json:"disturbed,omitempty"`
	NotIdleBefore      bool           `json:"not_idle_before,omitempty"` // -idle-wait ran out

	// Idle cell.
	Opened        int     `json:"opened,omitempty"`
	Accepted      int     `json:"accepted,omitempty"`
	RSSBeforeKiB  uint64  `json:"rss_before_kib,omitempty"`
	RSSAfterKiB   uint64  `json:"rss_after_kib,omitempty"`
	RSSKiBPerConn float64 `json:"rss_kib_per_conn,omitempty"`
}

// Result is one peer in one cell: a server (-mode=servers) or a load
// generator (-mode=clients).
type Result struct {
	Cell  Cell        `json:"cell"`
	Peer  string      `json:"peer"`
	Ref   bool        `json:"ref,omitempty"`  // the reference the cell's ×C are against
	Load  string      `json:"load,omitempty"` // the load generator used`
	Runs  []RunResult `json:"runs"`
	Notes []string    `json:"notes,omitempty"`
}

// Report is everything measured.
type Report struct {
	Mode      string            `json:"mode"`
	Machine   Machine           `json:"machine"`
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	Tools     map[string]string `json:"tools"`
	Loadgen   string            `json:"loadgen"`
	Pinning   string            `json:"pinning"`
	Duration  string            `json:"duration"`
	RunsPer   int               `json:"runs_per_cell"`
	Peers     map[string]string `json:"peers"`
	Servers   []string          `json:"servers,omitempty"` // -mode=clients: the servers loaded
	Loads     []string          `json:"loads,omitempty"`   // -mode=servers: the load generators used`
	PeerOrder []string          `json:"peer_order"`
	Results   []Result          `json:"results"`
}

// MarshalJSON leaves out a figure that could not be computed (NaN: the CPU
// per message of a run with no messages), which JSON cannot carry; the
// table shows it as a dash.
func (r RunResult) MarshalJSON() ([]byte, error) {
	type plain RunResult // without this method
	p := plain(r)
	for _, f := range []*float64{&p.Seconds, &p.Messages, &p.CPUMessages, &p.MsgsPerSec, &p.P99us, &p.ServerCPUusPerMsg, &p.ServerBusy,
		&p.LoadgenCPUSeconds, &p.LoadgenCPUusPerMsg, &p.LoadgenBusy, &p.CPUsBusyTicks, &p.OtherTicks, &p.OtherShare, &p.RSSKiBPerConn} {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
	}
	return json.Marshal(p)
}
