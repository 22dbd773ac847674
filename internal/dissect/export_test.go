package dissect

import "testing"

// HandFrames gives the external tests handFrames as bytes.
func HandFrames(t testing.TB) [][]byte {
	var frames [][]byte
	for _, s := range handFrames {
		frames = append(frames, frameHex(t, s))
	}
	return frames
}
