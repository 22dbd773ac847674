package pcap

import "errors"

// Errors that Reader wraps, so that a caller can tell a file cut short from
// one that is not a pcap file.
var (
	// ErrTruncated means the file ends inside a header or a record.
	ErrTruncated = errors.New("pcap: truncated")
	// ErrMalformed means the file is not a classic pcap file this package
	// reads.
	ErrMalformed = errors.New("pcap: malformed")
)
