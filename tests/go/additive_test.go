// The failure users of generated models report most is a body the service has grown: a new enumeration value, a
// new field, a null or an absent field. These tests hold the Go models to reading such a body, with the values
// they know still typed, and to rejecting a value of the wrong type with the path of its field.
package tests

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	smartconnect "dms-smartconnect-models"
)

// grown is the API reference's Kafka replication task as a newer service might send it: a status and a direction
// the contract does not list, fields it does not know (at the top and nested), null fields, and no "topics".
const grown = `{
  "task_name": "smart-connect-121248117",
  "topics_regex": null,
  "source_type": "KAFKA_REPLICATOR_SOURCE",
  "source_task": {
    "current_cluster_name": "A",
    "cluster_name": "B",
    "direction": "three-way",
    "instance_id": "59f6d088-****-****-****-********",
    "consumer_strategy": "earliest",
    "security_protocol": null,
    "task_num": 2,
    "replication_factor": 3,
    "lag_alarm": {"threshold": 1000}
  },
  "sink_task": null,
  "sink_type": "NONE",
  "id": "194917d0-****-****-****-********",
  "status": "DELETING",
  "create_time": 1708427753133,
  "owner_project": "p-1",
  "labels": ["a", "b"]
}`

func TestGrownBodyIsRead(t *testing.T) {
	var task smartconnect.ShowConnectorTaskResponse
	if err := json.Unmarshal([]byte(grown), &task); err != nil {
		t.Fatalf("a grown body is rejected: %v", err)
	}
	if task.TaskName == nil || *task.TaskName != "smart-connect-121248117" {
		t.Errorf("TaskName = %v", task.TaskName)
	}
	if task.Status == nil || *task.Status != "DELETING" || *task.Status == smartconnect.Running {
		t.Errorf("the new status is not kept as its string: %v", task.Status)
	}
	if task.SourceType == nil || *task.SourceType != smartconnect.KafkaReplicatorSource {
		t.Errorf("SourceType = %v", task.SourceType)
	}
	if task.CreateTime == nil || *task.CreateTime != 1708427753133 {
		t.Errorf("CreateTime = %v", task.CreateTime)
	}
	if task.Topics != nil || task.TopicsRegex != nil || task.SinkTask != nil {
		t.Errorf("an absent or null field is not nil: %v %v %v", task.Topics, task.TopicsRegex, task.SinkTask)
	}
	source := task.SourceTask
	if source == nil {
		t.Fatal("SourceTask is nil")
	}
	if source.Direction == nil || *source.Direction != "three-way" {
		t.Errorf("the new direction is not kept: %v", source.Direction)
	}
	if source.ConsumerStrategy == nil || *source.ConsumerStrategy != smartconnect.Earliest {
		t.Errorf("ConsumerStrategy = %v", source.ConsumerStrategy)
	}
	if source.TaskNum == nil || *source.TaskNum != 2 || source.SecurityProtocol != nil {
		t.Errorf("TaskNum = %v, SecurityProtocol = %v", source.TaskNum, source.SecurityProtocol)
	}
}

func TestKnownStatusIsItsConstant(t *testing.T) {
	var task smartconnect.ShowConnectorTaskResponse
	if err := json.Unmarshal([]byte(`{"status": "RUNNING"}`), &task); err != nil {
		t.Fatal(err)
	}
	if task.Status == nil || *task.Status != smartconnect.Running {
		t.Errorf("Status = %v", task.Status)
	}
}

func TestGrownListAndErrorAreRead(t *testing.T) {
	var list smartconnect.ListConnectorTasksResponse
	body := `{"tasks": [` + grown + `, {"status": "PAUSED"}], "total_number": 2, "max_tasks": null, "next_marker": "x"}`
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("a grown list is rejected: %v", err)
	}
	if len(list.Tasks) != 2 || *list.Tasks[0].Status != "DELETING" || *list.Tasks[1].Status != smartconnect.Paused {
		t.Errorf("Tasks = %+v", list.Tasks)
	}
	if list.TotalNumber == nil || *list.TotalNumber != 2 || list.MaxTasks != nil || list.QuotaTasks != nil {
		t.Errorf("TotalNumber = %v, MaxTasks = %v, QuotaTasks = %v", list.TotalNumber, list.MaxTasks, list.QuotaTasks)
	}
	var failure smartconnect.ErrorResponse
	errorBody := `{"error_code": "DMS.00404022", "error_msg": "x", "trace": {"id": 1}}`
	if err := json.Unmarshal([]byte(errorBody), &failure); err != nil {
		t.Fatalf("a grown error body is rejected: %v", err)
	}
	if failure.ErrorCode == nil || *failure.ErrorCode != "DMS.00404022" || failure.RequestID != nil {
		t.Errorf("ErrorResponse = %+v", failure)
	}
}

// A new field is welcome; a known field whose value changed type is not: the error names the field's path.
func TestWrongTypeIsRejectedWithItsPath(t *testing.T) {
	cases := []struct{ body, path string }{
		{`{"task_name": 12345}`, "task_name"},
		{`{"status": 1}`, "status"},
		{`{"create_time": "1708427753133"}`, "create_time"},
		{`{"source_task": "pull"}`, "source_task"},
		{`{"source_task": {"task_num": "2"}}`, "source_task.task_num"},
		{`{"source_task": {"rename_topic_enabled": 1}}`, "source_task.rename_topic_enabled"},
		{`{"source_task": {"task_num": 2.5}}`, "source_task.task_num"},
		{`{"create_time": 9223372036854775808}`, "create_time"},
	}
	for _, c := range cases {
		var task smartconnect.ShowConnectorTaskResponse
		err := json.Unmarshal([]byte(c.body), &task)
		var field *smartconnect.FieldError
		if !errors.As(err, &field) || !strings.HasPrefix(err.Error(), c.path+": ") {
			t.Errorf("%s: want a FieldError at %s, got %v", c.body, c.path, err)
		}
	}
}

// JSON Schema counts 2.0 as the integer 2, as the Python models do; 2.5 is no integer.
func TestIntegralNumberReadsAsInteger(t *testing.T) {
	var task smartconnect.ShowConnectorTaskResponse
	body := `{"create_time": 1708427753133.0, "source_task": {"task_num": 2.0, "replication_factor": 3e0}}`
	if err := json.Unmarshal([]byte(body), &task); err != nil {
		t.Fatal(err)
	}
	if *task.CreateTime != 1708427753133 || *task.SourceTask.TaskNum != 2 || *task.SourceTask.ReplicationFactor != 3 {
		t.Errorf("read %v %v %v", *task.CreateTime, *task.SourceTask.TaskNum, *task.SourceTask.ReplicationFactor)
	}
	if err := json.Unmarshal([]byte(`{"source_task": {"task_num": 2.5}}`), &task); err == nil {
		t.Error("2.5 read as an integer")
	}
}
