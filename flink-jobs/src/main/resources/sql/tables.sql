-- Tables over the alert and metric topics, for the Flink SQL client and the Table API.
-- Replace ${bootstrap} with the broker address (./lfr sql does this for you).
-- The columns mirror the Avro schemas in schemas/src/main/avro field by field and in order: the 'avro' format
-- derives its reader schema from them, so NOT NULL here means a non-union Avro field.
-- read_committed: the job writes metrics in Kafka transactions; uncommitted and aborted copies are not facts.

CREATE TABLE lfr_alerts (
  alert_id STRING NOT NULL,
  deployment STRING NOT NULL,
  cameras ARRAY<STRING NOT NULL> NOT NULL,
  subject STRING NOT NULL,
  best_score FLOAT NOT NULL,
  first_seen TIMESTAMP(3) NOT NULL,
  last_seen TIMESTAMP(3) NOT NULL,
  sightings INT NOT NULL,
  best_crop_jpeg BYTES NOT NULL,
  watchlist_version BIGINT NOT NULL,
  embedding_model STRING NOT NULL,
  WATERMARK FOR first_seen AS first_seen - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'lfr.alerts',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.group.id' = 'lfr-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'avro'
);

CREATE TABLE lfr_metrics (
  window_start TIMESTAMP(3) NOT NULL,
  window_end TIMESTAMP(3) NOT NULL,
  deployment STRING NOT NULL,
  camera STRING,
  frames BIGINT NOT NULL,
  faces_detected BIGINT NOT NULL,
  faces_searched BIGINT NOT NULL,
  alerts BIGINT NOT NULL,
  adjudicated_true BIGINT NOT NULL,
  adjudicated_false BIGINT NOT NULL,
  false_alert_rate_per_face DOUBLE,
  false_alert_rate_per_alert DOUBLE,
  frames_detected BIGINT NOT NULL,
  detector_passes BIGINT NOT NULL,
  faces_rescored BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'lfr.metrics',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.group.id' = 'lfr-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'avro'
);
