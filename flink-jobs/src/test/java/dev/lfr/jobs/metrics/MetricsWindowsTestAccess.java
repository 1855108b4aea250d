package dev.lfr.jobs.metrics;

import dev.lfr.schemas.DeploymentMetrics;

/** Lets tests in other packages build metrics records exactly as the job does. */
public final class MetricsWindowsTestAccess {
    private MetricsWindowsTestAccess() {}

    /** Counts in order: frames, faces detected, faces searched, alerts, adjudicated true, adjudicated false. */
    public static DeploymentMetrics metrics(String deployment, String camera, long start, long end, long[] counts) {
        return MetricsWindows.metrics(deployment, camera, start, end, counts);
    }
}
