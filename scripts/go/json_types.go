// JSON types of the Go models, read as the tolerant reading reads JSON (the Go twin of the Python models'
// json_types.py). Hand-written and schema-agnostic: scripts/go_models.py copies this file beside models.go, whose
// fields are JSONInt and whose structs decode through decodeObject.

package smartconnect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// JSONInt is a JSON Schema integer: 2 and 2.0 (and 2e0) read as 2; 2.5, "2", true and null are errors.
// A literal without a fraction or exponent is read exactly; one with them is read as a float64 first,
// as Python's json module (and so the Python models) reads it. Values outside int64 are errors.
type JSONInt int64

func (n *JSONInt) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return &json.UnmarshalTypeError{Value: jsonKind(s), Type: reflect.TypeOf(*n)}
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = JSONInt(i)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !strings.ContainsAny(s, ".eE") { // an integer literal beyond int64
		return fmt.Errorf("integer %s is out of the range of int64", s)
	}
	if err != nil || f != math.Trunc(f) {
		return &json.UnmarshalTypeError{Value: "number " + s, Type: reflect.TypeOf(*n)}
	}
	if f < -(1<<63) || f >= 1<<63 {
		return fmt.Errorf("integer %s is out of the range of int64", s)
	}
	*n = JSONInt(int64(f))
	return nil
}

// decodeObject decodes a JSON object into the struct x points to, field by field: a key is a field only when it
// equals the field's JSON name exactly (encoding/json would also take "TASK_NAME" for task_name), other keys are
// ignored, a repeated key keeps its last value (as Python's json module does), and null is an error (a pointer
// field's null reads as nil before this is called, so null stays allowed where the field is optional).
func decodeObject(data []byte, x any) error {
	v := reflect.ValueOf(x).Elem()
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &json.UnmarshalTypeError{Value: jsonKind(string(trimmed)), Type: v.Type()}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &members); err != nil {
		return err
	}
	for name, index := range fieldsOf(v.Type()) {
		raw, ok := members[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, v.Field(index).Addr().Interface()); err != nil {
			return &FieldError{Field: name, Err: err}
		}
	}
	return nil
}

// FieldError tells which field of an object failed to decode; nested ones read as a path: source_task.task_num.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string {
	if inner, ok := e.Err.(*FieldError); ok {
		return e.Field + "." + inner.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

var fieldCache sync.Map // reflect.Type -> map[string]int

func fieldsOf(t reflect.Type) map[string]int {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(map[string]int)
	}
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && t.Field(i).IsExported() {
			fields[name] = i
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

func jsonKind(s string) string {
	switch {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "bool"
	case strings.HasPrefix(s, `"`):
		return "string"
	case strings.HasPrefix(s, "["):
		return "array"
	case strings.HasPrefix(s, "{"):
		return "object"
	}
	return "number"
}
