package ladder

import (
	"testing"

	"github.com/upcase/upcase/internal/lang"
)

// TestMessagesComplete: every sentence of the ladder exists in both
// languages, with the same verbs.
func TestMessagesComplete(t *testing.T) {
	for _, err := range lang.Complete(msg) {
		t.Error(err)
	}
}
