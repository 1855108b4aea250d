package dev.lfr.governance.audit;

import dev.lfr.governance.GovernanceException;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.schemas.AuditAction;

/**
 * What happened, before it is placed in the chain: who did what, to which deployment, watchlist or subject, and why.
 *
 * @param deployment null when the event concerns no deployment (likewise watchlist and subject)
 */
public record AuditEvent(String actor, AuditAction action, String deployment, String watchlist, String subject, String what,
                         String why) {
    public AuditEvent {
        if (actor == null || actor.isBlank() || actor.length() > InputRules.MAX_ID) {
            throw new GovernanceException("who did it must be named (an officer id of at most " + InputRules.MAX_ID + " characters)");
        }
        if (why == null || why.isBlank()) {
            throw new GovernanceException("a reason is required (--reason)");
        }
        if (why.length() > InputRules.MAX_TEXT || what.length() > 16 * InputRules.MAX_TEXT) {
            throw new GovernanceException("the reason is over " + InputRules.MAX_TEXT + " characters");
        }
    }
}
