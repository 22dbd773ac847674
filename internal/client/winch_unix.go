//go:build unix

package client

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// resizeWatcher calls readline back when the terminal window changes size
// (SIGWINCH). readline's own watcher starts a goroutine that never ends; this
// one ends with stop.
type resizeWatcher struct {
	mu       sync.Mutex
	callback func()
	sig      chan os.Signal
	quit     chan struct{}
	wg       sync.WaitGroup
}

func watchResize() *resizeWatcher {
	r := &resizeWatcher{sig: make(chan os.Signal, 1), quit: make(chan struct{})}
	signal.Notify(r.sig, syscall.SIGWINCH)
	r.wg.Go(func() {
		for {
			select {
			case <-r.sig:
				r.mu.Lock()
				f := r.callback
				r.mu.Unlock()
				if f != nil {
					f()
				}
			case <-r.quit:
				return
			}
		}
	})
	return r
}

// onResize is readline's FuncOnWidthChanged: it sets the function to call.
func (r *resizeWatcher) onResize(f func()) {
	r.mu.Lock()
	r.callback = f
	r.mu.Unlock()
}

func (r *resizeWatcher) stop() {
	signal.Stop(r.sig)
	close(r.quit)
	r.wg.Wait()
}
