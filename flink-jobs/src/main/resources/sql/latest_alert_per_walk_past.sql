-- One row per alert: the latest record of each alert id (the completed walk-past, with every camera and sighting).
SELECT alert_id, deployment, subject, cameras, sightings, best_score, first_seen, last_seen
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY alert_id ORDER BY sightings DESC, last_seen DESC) AS rn
  FROM lfr_alerts
)
WHERE rn = 1
