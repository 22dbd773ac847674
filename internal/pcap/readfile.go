package pcap

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadFile reads every frame of the pcap file at path, and the file's link
// type. Errors name the path.
func ReadFile(path string) ([]Frame, uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	var frames []Frame
	for {
		fr, err := r.Next()
		if errors.Is(err, io.EOF) {
			return frames, r.LinkType, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		frames = append(frames, fr)
	}
}
