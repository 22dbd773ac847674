package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ProcTicks is a process's CPU time from /proc/PID/stat, in clock ticks.
type ProcTicks struct {
	Comm           string
	Utime, Stime   uint64 // fields 14, 15: the process itself, all threads
	CUtime, CStime uint64 // fields 16, 17: its children that it waited for
	Start          uint64 // field 22: start time after boot, tells reused PIDs apart
}

// Total is utime+stime.
func (t ProcTicks) Total() uint64 { return t.Utime + t.Stime }

// WithChildren is utime+stime+cutime+cstime: the process and every
// descendant that has exited and been waited for.
func (t ProcTicks) WithChildren() uint64 { return t.Total() + t.CUtime + t.CStime }

// parseProcStat reads the text of /proc/PID/stat. The second field, the
// command name in parentheses, may itself hold spaces and parentheses, so
// fields are counted from the last ')'.
func parseProcStat(s string) (ProcTicks, error) {
	open := strings.IndexByte(s, '(')
	i := strings.LastIndexByte(s, ')')
	if open < 0 || i < open {
		return ProcTicks{}, fmt.Errorf("no (comm) in /proc/PID/stat: %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 22-2 {
		return ProcTicks{}, fmt.Errorf("/proc/PID/stat has %d fields after the name, want 20 or more", len(f))
	}
	var v [5]uint64
	for j, field := range []int{14, 15, 16, 17, 22} {
		n, err := strconv.ParseUint(f[field-3], 10, 64)
		if err != nil {
			return ProcTicks{}, fmt.Errorf("/proc/PID/stat field %d: %w", field, err)
		}
		v[j] = n
	}
	return ProcTicks{Comm: s[open+1 : i], Utime: v[0], Stime: v[1], CUtime: v[2], CStime: v[3], Start: v[4]}, nil
}

func readProcTicks(pid int) (ProcTicks, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcTicks{}, err
	}
	return parseProcStat(string(b))
}

// parseStatusField returns the value of one "Name:\tvalue" line of
// /proc/PID/status, trimmed.
func parseStatusField(s, name string) (string, bool) {
	for line := range strings.Lines(s) {
		k, v, ok := strings.Cut(line, ":")
		if ok && k == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// parseVmRSS returns VmRSS in KiB from the text of /proc/PID/status.
func parseVmRSS(s string) (uint64, error) {
	v, ok := parseStatusField(s, "VmRSS")
	if !ok {
		return 0, fmt.Errorf("no VmRSS line")
	}
	num, unit, _ := strings.Cut(v, " ")
	if unit != "kB" {
		return 0, fmt.Errorf("VmRSS in unexpected unit %q", v)
	}
	return strconv.ParseUint(num, 10, 64)
}

func readVmRSS(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmRSS(string(b))
}

// scanProcs reads /proc/PID/stat of every process.
func scanProcs() map[int]ProcTicks {
	out := map[int]ProcTicks{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, err := readProcTicks(pid); err == nil {
			out[pid] = t
		}
	}
	return out
}

// otherTicks is the CPU time that processes other than those in own used
// between two scans: the sum over all processes of utime+stime+cutime+cstime
// after, less the same sum before. Counting each process with its waited-for
// children catches processes that started and exited in between (a compiler
// run by a build): their time lands in their parent's cutime/cstime, while
// a process that was there before and was waited for in between takes its
// earlier share out again. The kernel's softirq threads are left out: on
// loopback their work is the benchmark's.
func otherTicks(before, after map[int]ProcTicks, own map[int]bool) uint64 {
	sum := func(m map[int]ProcTicks) (n int64) {
		for pid, t := range m {
			if !own[pid] && !strings.HasPrefix(t.Comm, "ksoftirqd/") {
				n += int64(t.WithChildren())
			}
		}
		return n
	}
	return uint64(max(0, sum(after)-sum(before)))
}

// cpusAllowed returns Cpus_allowed_list of every thread of pid, deduplicated
// (normally one value: the CPU the process is pinned to).
func cpusAllowed(pid int) ([]string, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, e.Name()))
		if err != nil {
			continue // the thread exited
		}
		v, ok := parseStatusField(string(b), "Cpus_allowed_list")
		if ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

func countFDs(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	return len(names), err
}

// CPUTicks is one cpuN line of /proc/stat, in clock ticks.
type CPUTicks struct {
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal uint64
}

// Sub is c minus an earlier sample.
func (c CPUTicks) Sub(o CPUTicks) CPUTicks {
	return CPUTicks{c.User - o.User, c.Nice - o.Nice, c.System - o.System, c.Idle - o.Idle,
		c.IOWait - o.IOWait, c.IRQ - o.IRQ, c.SoftIRQ - o.SoftIRQ, c.Steal - o.Steal}
}

// parseSystemStat returns the per-CPU lines of /proc/stat keyed by CPU number.
func parseSystemStat(s string) (map[int]CPUTicks, error) {
	out := map[int]CPUTicks{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(f[0][3:])
		if err != nil {
			continue
		}
		var v [8]uint64
		for i := range v {
			if v[i], err = strconv.ParseUint(f[i+1], 10, 64); err != nil {
				return nil, fmt.Errorf("%s: %w", f[0], err)
			}
		}
		out[n] = CPUTicks{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cpuN lines in /proc/stat")
	}
	return out, nil
}

func readSystemStat() (map[int]CPUTicks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	return parseSystemStat(string(b))
}

// clockTicks is sysconf(_SC_CLK_TCK), read from the AT_CLKTCK entry of the
// auxiliary vector (no cgo needed); 100 if that cannot be read.
func clockTicks() uint64 {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	if v, ok := parseAuxv(b, 17 /* AT_CLKTCK */); ok && v > 0 {
		return v
	}
	return 100
}

// parseAuxv finds key in a native 64-bit little-endian auxiliary vector.
func parseAuxv(b []byte, key uint64) (uint64, bool) {
	for len(b) >= 16 {
		k := binary.LittleEndian.Uint64(b)
		v := binary.LittleEndian.Uint64(b[8:])
		if k == key {
			return v, true
		}
		if k == 0 {
			break
		}
		b = b[16:]
	}
	return 0, false
}

// Machine describes where the comparison ran.
type Machine struct {
	CPUModel string `json:"cpu_model"`
	NProc    int    `json:"nproc"`
	Kernel   string `json:"kernel"`
	MemTotal string `json:"mem_total"`
	ClockTck uint64 `json:"clk_tck"`
	// IRQTime is "on" when the kernel has CONFIG_IRQ_TIME_ACCOUNTING (then
	// softirq work, much of loopback TCP, is charged to no process), "off"
	// (charged to the process it ran in), or "unknown".
	IRQTime string `json:"irq_time_accounting"`
}

func describeMachine() Machine {
	m := Machine{ClockTck: clockTicks(), IRQTime: irqTimeAccounting()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel, m.NProc = parseCPUInfo(string(b))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + string(bytes.TrimSpace(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v, ok := parseStatusField(string(b), "MemTotal"); ok {
			m.MemTotal = v
		}
	}
	return m
}

// parseCPUInfo returns the first model name and the number of processors.
func parseCPUInfo(s string) (model string, n int) {
	for line := range strings.Lines(s) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			n++
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		}
	}
	return model, n
}

// irqTimeAccounting reads CONFIG_IRQ_TIME_ACCOUNTING from /proc/config.gz.
func irqTimeAccounting() string {
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return "unknown"
	}
	return kernelConfigValue(z, "CONFIG_IRQ_TIME_ACCOUNTING")
}

// kernelConfigValue is "on" when the kernel config text sets key=y, "off"
// when it says it is not set or does not name it.
func kernelConfigValue(r io.Reader, key string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := sc.Text()
		if l == key+"=y" {
			return "on"
		}
		if l == "# "+key+" is not set" {
			return "off"
		}
	}
	if sc.Err() != nil {
		return "unknown"
	}
	return "off"
}
