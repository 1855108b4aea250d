package dev.lfr.governance.deployment;

import dev.lfr.schemas.DeploymentLocation;
import java.time.Instant;
import java.util.List;

/** What an operator asks for when creating a deployment; {@link DeploymentLifecycle#create} decides. */
public record DeploymentRequest(String id, String purpose, String authorisedBy, String authorisationRef, Instant authorisedAt,
                                DeploymentLocation location, List<String> cameras, Instant start, Instant end, String watchlist,
                                float threshold, boolean signageConfirmed, boolean twoPersonVerification) {}
