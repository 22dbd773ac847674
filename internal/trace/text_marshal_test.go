package trace

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStepJSON(t *testing.T) {
	c := conversationOf(t, KindTCP, lanClient, lanServer, st(Closed, Listen), scenarioLAN())
	b, err := json.Marshal(c.Steps())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"Dir":"client→server"`, `"Client":"SYN-SENT"`, `"Server":"SYN-RECEIVED"`, `"Flags":"SYN, ACK"`,
		`"Kind":"ARP"`, `"Op":"request"`, `"Src":"02:00:00:00:00:01"`, `"EtherType":"IPv4"`, `"Src":"10.0.0.1:40312"`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}
