package main

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Cell is one load shape, the table's rows for one cell. This file names the
// cells of each mode (-list) and picks them by -cells.
type Cell struct {
	Name     string `json:"name"`
	Idle     bool   `json:"idle,omitempty"` // hold Conns idle connections, measure RSS
	UDP      bool   `json:"udp,omitempty"`  // Conns sockets send datagrams of Size, Pipeline in flight each
	Conns    int    `json:"conns"`
	Size     int    `json:"size,omitempty"`
	Pipeline int    `json:"pipeline,omitempty"`
}

// sizeName writes a message size for a cell's name: 16B, 1KiB.
func sizeName(n int) string {
	if n >= 1024 && n%1024 == 0 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// ppCell is ping-pong on n connections with size-byte messages.
func ppCell(n, size int) Cell {
	return Cell{Name: fmt.Sprintf("pp-%dc-%s", n, sizeName(size)), Conns: n, Size: size, Pipeline: 1}
}

// udpCells are 50 sockets sending 64-byte datagrams, 1 and 8 in flight each.
func udpCells() []Cell {
	var cells []Cell
	for _, k := range []int{1, 8} {
		cells = append(cells, Cell{Name: fmt.Sprintf("udp-50s-%dx-64B", k), UDP: true, Conns: 50, Size: 64, Pipeline: k})
	}
	return cells
}

// defaultCells is every cell of -mode=servers: ping-pong at 1, 50 and 1000
// connections of 16 B and 1 KiB, 50 pipelined connections, idleConns idle
// connections, and the UDP cells.
func defaultCells(idleConns int) []Cell {
	var cells []Cell
	for _, n := range []int{1, 50, 1000} {
		for _, size := range []int{16, 1024} {
			cells = append(cells, ppCell(n, size))
		}
	}
	cells = append(cells, Cell{Name: "pipe-50c-16x-64B", Conns: 50, Size: 64, Pipeline: 16})
	cells = append(cells, Cell{Name: fmt.Sprintf("idle-%dc", idleConns), Idle: true, Conns: idleConns})
	return append(cells, udpCells()...)
}

// clientsCells is every cell of -mode=clients: ping-pong at 1, 50 and 1000
// connections of 16 B, at 50 and 1000 of 1 KiB, and the UDP cells.
func clientsCells() []Cell {
	cells := []Cell{ppCell(1, 16), ppCell(50, 16), ppCell(1000, 16), ppCell(50, 1024), ppCell(1000, 1024)}
	return append(cells, udpCells()...)
}

// describe is a cell's line in -list.
func (c Cell) describe() string {
	switch {
	case c.Idle:
		return fmt.Sprintf("%d idle connections: server RSS per connection", c.Conns)
	case c.UDP:
		return fmt.Sprintf("%d UDP sockets, %d B datagrams, %d in flight each", c.Conns, c.Size, c.Pipeline)
	}
	return fmt.Sprintf("%d connections, %d B messages, %d in flight each", c.Conns, c.Size, c.Pipeline)
}

// selectCells keeps the cells matching any of the comma-separated patterns
// (path.Match globs, or "all").
func selectCells(all []Cell, patterns string) ([]Cell, error) {
	if patterns == "" || patterns == "all" {
		return all, nil
	}
	var out []Cell
	taken := map[string]bool{}
	for _, p := range strings.Split(patterns, ",") {
		p = strings.TrimSpace(p)
		matched := false
		for _, c := range all {
			ok, err := path.Match(p, c.Name)
			if err != nil {
				return nil, fmt.Errorf("-cells %q: %w", p, err)
			}
			if ok {
				matched = true
				if !taken[c.Name] {
					taken[c.Name] = true
					out = append(out, c)
				}
			}
		}
		if !matched {
			return nil, fmt.Errorf("-cells: %q matches no cell (run with -list)", p)
		}
	}
	return out, nil
}
