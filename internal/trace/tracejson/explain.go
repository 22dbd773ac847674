package tracejson

import (
	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// explanation says what step s of c means, in l.
func explanation(c *trace.Conversation, s trace.Step, l lang.Lang) string {
	return s.Explanation
}
