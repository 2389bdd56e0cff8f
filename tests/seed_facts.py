"""The seed page's Tables 1-4 as data: every parameter and field with the type the page gives it.

Copied by hand from the API reference page "Querying Smart Connect Task Details" (updated 2025-05-21) so that a
change of openapi.yaml that loses a field, changes its type or drops its description is caught.
"""

# fmt: off
# Table 1: path parameters (all mandatory).
PATH_PARAMETERS = [
    ("project_id", "String", "Project ID."),
    ("instance_id", "String", "Instance ID."),
    ("task_id", "String", "Smart Connect task ID."),
]

# (schema, field, seed type, start of the seed's description); Table 2 is the body of ShowConnectorTask, a SmartConnectTaskEntity
RESPONSE_FIELDS = [
    ("SmartConnectTaskEntity", "task_name", "String", "Smart Connect task name."),
    ("SmartConnectTaskEntity", "topics", "String", "Topic of a Smart Connect task."),
    ("SmartConnectTaskEntity", "topics_regex", "String", "Regular expression of the topic of a Smart Connect task."),
    ("SmartConnectTaskEntity", "source_type", "String", "Source type of a Smart Connect task."),
    ("SmartConnectTaskEntity", "source_task", "SmartConnectTaskRespSourceConfig", "Source configuration of a Smart Connect task."),
    ("SmartConnectTaskEntity", "sink_type", "String", "Target type of a Smart Connect task."),
    ("SmartConnectTaskEntity", "sink_task", "SmartConnectTaskRespSinkConfig", "Target type of a Smart Connect task."),
    ("SmartConnectTaskEntity", "id", "String", "ID of a Smart Connect task."),
    ("SmartConnectTaskEntity", "status", "String", "Smart Connect task status."),
    ("SmartConnectTaskEntity", "create_time", "Long", "Time when the Smart Connect task was created"),
    ("SmartConnectTaskRespSourceConfig", "current_cluster_name", "String", "Current Kafka instance name."),
    ("SmartConnectTaskRespSourceConfig", "cluster_name", "String", "Target Kafka instance name."),
    ("SmartConnectTaskRespSourceConfig", "user_name", "String", "Username of the target Kafka instance."),
    ("SmartConnectTaskRespSourceConfig", "sasl_mechanism", "String", "Target Kafka authentication mode."),
    ("SmartConnectTaskRespSourceConfig", "instance_id", "String", "Target Kafka instance ID."),
    ("SmartConnectTaskRespSourceConfig", "bootstrap_servers", "String", "Target Kafka instance address."),
    ("SmartConnectTaskRespSourceConfig", "security_protocol", "String", "Target Kafka authentication."),
    ("SmartConnectTaskRespSourceConfig", "direction", "String", "Sync direction."),
    ("SmartConnectTaskRespSourceConfig", "sync_consumer_offsets_enabled", "Boolean", "Indicates whether to sync the consumption progress."),
    ("SmartConnectTaskRespSourceConfig", "replication_factor", "Integer", "Number of replicas."),
    ("SmartConnectTaskRespSourceConfig", "task_num", "Integer", "Number of tasks."),
    ("SmartConnectTaskRespSourceConfig", "rename_topic_enabled", "Boolean", "Indicates whether to rename a topic."),
    ("SmartConnectTaskRespSourceConfig", "provenance_header_enabled", "Boolean", "Indicates whether to add the source header."),
    ("SmartConnectTaskRespSourceConfig", "consumer_strategy", "String", "Start offset."),
    ("SmartConnectTaskRespSourceConfig", "compression_type", "String", "Compression algorithm."),
    ("SmartConnectTaskRespSourceConfig", "topics_mapping", "String", "Topic mapping"),
    ("SmartConnectTaskRespSinkConfig", "consumer_strategy", "String", "Start offset."),
    ("SmartConnectTaskRespSinkConfig", "destination_file_type", "String", "Dump file format. Only TEXT is supported."),
    ("SmartConnectTaskRespSinkConfig", "deliver_time_interval", "Integer", "Dumping period (s)."),
    ("SmartConnectTaskRespSinkConfig", "obs_bucket_name", "String", "Dumping address."),
    ("SmartConnectTaskRespSinkConfig", "obs_path", "String", "Dump directory."),
    ("SmartConnectTaskRespSinkConfig", "partition_format", "String", "Time directory format."),
    ("SmartConnectTaskRespSinkConfig", "record_delimiter", "String", "Line break."),
    ("SmartConnectTaskRespSinkConfig", "store_keys", "Boolean", "Storage key."),
    ("SmartConnectTaskRespSinkConfig", "obs_part_size", "Integer", "Size (in bytes) of each file to be uploaded."),
    ("SmartConnectTaskRespSinkConfig", "flush_size", "Integer", "flush_size."),
    ("SmartConnectTaskRespSinkConfig", "timezone", "String", "Time zone."),
    ("SmartConnectTaskRespSinkConfig", "schema_generator_class", "String", "schema_generator class."),
    ("SmartConnectTaskRespSinkConfig", "partitioner_class", "String", "partitioner class."),
    ("SmartConnectTaskRespSinkConfig", "value_converter", "String", "value_converter."),
    ("SmartConnectTaskRespSinkConfig", "key_converter", "String", "key_converter."),
    ("SmartConnectTaskRespSinkConfig", "kv_delimiter", "String", "kv_delimiter."),
]
# fmt: on
