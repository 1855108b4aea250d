package dev.lfr.console.access;

/** What a console user may do. Only officers and supervisors ever see a face. */
public enum Role {
    /** Reviews and adjudicates the alerts of the deployments assigned to them. */
    OFFICER,
    /** An officer who may also read deployments' reports. */
    SUPERVISOR,
    /** Reads the published metrics only: never a face, a name or an alert. */
    ANALYST;

    public boolean reviewsAlerts() {
        return this != ANALYST;
    }

    public boolean readsReports() {
        return this == SUPERVISOR;
    }
}
