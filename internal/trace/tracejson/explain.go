package tracejson

import (
	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// explanation says what step s of c means, in l.
func explanation(c *trace.Conversation, s trace.Step, l lang.Lang) string {
	return s.Explanation
}

// layerText explains a layer by its Wireshark name, in l.
func layerText(name string, l lang.Lang) string { return "" }

// fieldText explains a field by its Wireshark name, in l.
func fieldText(name string, l lang.Lang) string { return "" }
