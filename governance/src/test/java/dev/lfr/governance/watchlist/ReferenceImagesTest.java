package dev.lfr.governance.watchlist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceImagesTest {
    @Test
    void photosAreStoredResolvedAndDeletedWithoutLeavingTheStore(@TempDir Path tmp) throws Exception {
        Path photo = Files.write(tmp.resolve("p.JPG"), new byte[] {1, 2, 3});
        ReferenceImages store = new ReferenceImages(tmp.resolve("store"));
        String uri = store.store("wl", "../../etc", photo);
        assertThat(uri).startsWith("lfr-image:wl/");
        assertThat(store.resolve(uri)).hasValueSatisfying(p -> assertThat(p).startsWith(store.root()).hasBinaryContent(new byte[] {1, 2, 3}));
        assertThat(store.subjects("wl")).containsExactly("../../etc");
        String other = store.store("wl", "..", photo);
        assertThat(store.resolve(other)).isPresent();
        assertThat(store.resolve("lfr-image:wl/x/../../../p.JPG")).isEmpty();
        assertThat(store.delete("wl", "../../etc")).isEqualTo(1);
        assertThat(store.resolve(uri)).isEmpty();
        assertThat(store.deleteWatchlist("wl")).isEqualTo(1);
        assertThat(store.watchlists()).isEmpty();
        assertThat(photo).exists();
    }
}
