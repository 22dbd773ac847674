package demo

import (
	"context"
	"time"

	"github.com/upcase/upcase/internal/trace/kstate"
)

// kernelSettle bounds the wait for the kernel's last state changes after the
// last segment was captured: the receiver changes its state just after the
// segment reaches it, a moment after the capture saw it.
const kernelSettle = 200 * time.Millisecond

// kernelStates reads the state changes the kernel recorded, once they
// include the conversation's end (or after kernelSettle), and attaches them
// to the conversation; or sets KernelErr to why they are missing: startErr,
// the error of starting the trace, when there is no trace.
func (res *Result) kernelStates(ctx context.Context, k *kstate.Trace, startErr error) {
	if k == nil {
		res.KernelErr = startErr
		return
	}
	c := res.Conversation
	deadline := time.NewTimer(kernelSettle)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
wait:
	for c.Done() {
		changes, err := k.Changes()
		if err != nil || c.KernelEnded(changes) {
			break
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	changes, err := k.Stop()
	if err != nil {
		res.KernelErr = err
		return
	}
	res.Kernel = changes
	c.AttachKernel(changes)
}
