// Command verdicts reads bodies as a Go user of the generated models does, so that the corpus can hold the Go
// models to the same verdicts as the Python ones.
//
// Input (stdin): a JSON array of cases, [{"name": "...", "schema": "ShowConnectorTaskResponse", "body": ...}].
// Output (stdout): one JSON object, {"<name>": "accept" | "reject"}: whether plain encoding/json decodes the body
// into that type without an error. A case that cannot be judged (an unknown schema, no body, a name given twice)
// exits 2 with a message, so that a broken harness is never read as a verdict.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	smartconnect "dms-smartconnect-models"
)

type testCase struct {
	Name   string          `json:"name"`
	Schema string          `json:"schema"`
	Body   json.RawMessage `json:"body"`
}

// decode returns a decoder into a fresh T: each body starts from the zero value, as a user's variable would.
func decode[T any]() func([]byte) error {
	return func(body []byte) error {
		var v T
		return json.Unmarshal(body, &v)
	}
}

var decoders = map[string]func([]byte) error{
	"ShowConnectorTaskResponse":  decode[smartconnect.ShowConnectorTaskResponse](),
	"ListConnectorTasksResponse": decode[smartconnect.ListConnectorTasksResponse](),
	"ErrorResponse":              decode[smartconnect.ErrorResponse](),
	"SmartConnectTaskEntity":     decode[smartconnect.SmartConnectTaskEntity](),
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "verdicts: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fatal("reading stdin: %v", err)
	}
	var cases []testCase
	if err := json.Unmarshal(input, &cases); err != nil {
		fatal("stdin is not a JSON array of cases: %v", err)
	}
	verdicts := make(map[string]string, len(cases))
	for _, c := range cases {
		decoder, ok := decoders[c.Schema]
		if !ok {
			fatal("case %q: unknown schema %q", c.Name, c.Schema)
		}
		if c.Body == nil {
			fatal("case %q: no body", c.Name)
		}
		if _, seen := verdicts[c.Name]; seen {
			fatal("case %q: given twice", c.Name)
		}
		verdicts[c.Name] = "accept"
		if decoder(c.Body) != nil {
			verdicts[c.Name] = "reject"
		}
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	if err := out.Encode(verdicts); err != nil {
		fatal("writing stdout: %v", err)
	}
}
