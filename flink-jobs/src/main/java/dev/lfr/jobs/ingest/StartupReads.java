package dev.lfr.jobs.ingest;

import dev.lfr.schemas.Deployment;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.io.Serializable;

/** How the gate and the matcher read the deployments and watchlist topics when they start without state. */
public record StartupReads(StartupRead<Deployment> deployments, StartupRead<LiveWatchlist.Update> watchlist)
        implements Serializable {
    public static StartupReads none() {
        return new StartupReads(StartupRead.none(), StartupRead.none());
    }
}
