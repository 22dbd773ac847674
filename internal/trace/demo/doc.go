// Package demo plays the scripted conversations of upcase trace, a client
// and an upper-casing server: on lo (normal, halfclose, reset, refused,
// udp) or between hosts in network namespaces of their own joined by veth
// links (lan, gateway). It captures every frame as it passes (package
// capture), reads the kernel's own TCP states where it may (package
// kstate), and follows each link's conversation once, decoding each frame
// once (follow.go). What it returns is the model of package trace; it
// draws nothing.
package demo
