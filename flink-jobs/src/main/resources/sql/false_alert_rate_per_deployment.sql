-- Published false-alert rates per deployment, over the whole deployment: false alerts per face searched and per
-- adjudicated alert. Rows with camera NULL are the all-camera totals of each window.
SELECT deployment,
       SUM(faces_searched) AS faces_searched,
       SUM(alerts) AS alerts,
       SUM(adjudicated_true) AS confirmed,
       SUM(adjudicated_false) AS false_alerts,
       CAST(SUM(adjudicated_false) AS DOUBLE) / NULLIF(SUM(faces_searched), 0) AS false_alert_rate_per_face,
       CAST(SUM(adjudicated_false) AS DOUBLE) / NULLIF(SUM(adjudicated_true) + SUM(adjudicated_false), 0)
           AS false_alert_rate_per_alert
FROM lfr_metrics
WHERE camera IS NULL
GROUP BY deployment
