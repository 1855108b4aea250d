package dev.lfr.loadtest.eval;

import java.nio.file.Path;

/** {@link SharedFaces} for tests in other packages. */
public final class SharedFacesAccess {
    private SharedFacesAccess() {}

    public static Path require(String sub) {
        return SharedFaces.require(sub);
    }
}
