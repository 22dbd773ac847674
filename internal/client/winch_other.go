//go:build !unix

package client

// resizeWatcher does nothing where there is no SIGWINCH: readline keeps the
// width it read at the start.
type resizeWatcher struct{}

func watchResize() *resizeWatcher      { return &resizeWatcher{} }
func (*resizeWatcher) onResize(func()) {}
func (*resizeWatcher) stop()           {}
