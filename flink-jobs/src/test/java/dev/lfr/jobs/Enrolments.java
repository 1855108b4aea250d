package dev.lfr.jobs;

import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Watchlist entries made from real photos with the default embedder, as `./lfr watchlist enrol` makes them. */
public final class Enrolments {
    public static final String MODEL = "fr-feature-512";

    private Enrolments() {}

    /** An upsert into watchlist {@code wl-d1} (the watchlist of {@link Records#deployment} "d1"). */
    public static WatchlistUpdate enrol(Path lfw, String subject, String image) throws Exception {
        List<Float> v = new ArrayList<>();
        for (float x : descriptor(lfw.resolve(image))) {
            v.add(x);
        }
        return WatchlistUpdate.newBuilder().setWatchlist("wl-d1").setSubject(subject).setVersion(1)
                .setOp(WatchlistOp.UPSERT).setEmbeddingModel(MODEL).setVector(v).build();
    }

    /** The descriptor of the main face of a photo. */
    public static float[] descriptor(Path image) throws Exception {
        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), MODEL);
             FrameImage img = new ImageDecoder().decode(image)) {
            return engine.mainFace(img).flatMap(FaceResult::descriptor).orElseThrow().vector();
        }
    }
}
