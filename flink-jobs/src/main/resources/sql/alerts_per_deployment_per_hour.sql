-- Alerts per deployment per hour of first sighting. Each alert is written twice (at the first sighting and when
-- the walk-past ends), and again after a recovery, so count distinct alert ids.
SELECT deployment, window_start AS hour_start, COUNT(DISTINCT alert_id) AS alerts
FROM TABLE(TUMBLE(TABLE lfr_alerts, DESCRIPTOR(first_seen), INTERVAL '1' HOUR))
GROUP BY deployment, window_start, window_end
