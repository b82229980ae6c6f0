package handlers

import (
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
)

// TestInternalRecordKeepsAttributeNumbers: 66a1392 made stored records keep their
// attributes' numbers as written (json.Number, as contact.Decode reads them), but with
// kafka.stages: separate the identify and resolve handlers read the record the upstream
// handler forwarded with encoding/json into float64: customer number 9007199254740993
// reaches the warehouse as 9007199254740992, 1.50 as 1.5.
func TestInternalRecordKeepsAttributeNumbers(t *testing.T) {
	in, err := contact.Decode([]byte(`{"source":"crm","source_id":"1","given_name":"Ann","attributes":{"customer_no":9007199254740993,"amount":1.50}}`))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := forward(message.NewMessage("u", nil), in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeInternal(msg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := contact.Encode(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`9007199254740993`, `1.50`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("forwarded record re-encoded as %s: %s lost", b, want)
		}
	}
}

// TestRecovererStage: a panic that reaches the recoverer is staged "panic" (the
// router's handler name before it when the context holds one), not appended to a stage
// an earlier attempt of the message left ("resolve/storepanic").
func TestRecovererStage(t *testing.T) {
	msg := message.NewMessage("1", []byte("{}"))
	msg.Metadata.Set(StageMetadata, "resolve/store")
	_, err := recoverer(func(*message.Message) ([]*message.Message, error) { panic("boom") })(msg)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("error %v, want the panic's", err)
	}
	if got := msg.Metadata.Get(StageMetadata); got != "panic" {
		t.Errorf("stage %q, want %q", got, "panic")
	}
}
