package dev.lfr.udfs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TilingTest {
    @Test
    void tilesCoverTheFrameWithOverlap() {
        int[] starts = Tiling.starts(1920, 384, 0.25);
        assertThat(starts[0]).isZero();
        assertThat(starts[starts.length - 1] + 384).isEqualTo(1920);
        for (int i = 1; i < starts.length; i++) {
            assertThat(starts[i - 1] + 384 - starts[i]).isGreaterThanOrEqualTo(96);
        }
        assertThat(Tiling.starts(300, 384, 0.25)).containsExactly(0);
        List<Tiling.Region> frame = Tiling.frame(384, 0.25, 1280, 720);
        assertThat(frame).hasSize(15).contains(new Tiling.Region(0, 0, 384, 384), new Tiling.Region(896, 336, 384, 384));
    }

    @Test
    void aHugeFrameGetsLargerTilesNotAThousandPasses() {
        // the decoder's largest frame: 40 megapixels
        assertThat(Tiling.count(256, 0.25, 8000, 5000)).isGreaterThan(1000);
        int size = Tiling.sizeFor(256, 0.25, 8000, 5000);
        List<Tiling.Region> tiles = Tiling.frame(size, 0.25, 8000, 5000);
        assertThat(tiles).hasSizeLessThanOrEqualTo(Tiling.MAX_TILES).hasSize(Tiling.count(size, 0.25, 8000, 5000));
        assertThat(tiles).anySatisfy(t -> assertThat(t.x() + t.width()).isEqualTo(8000))
                .anySatisfy(t -> assertThat(t.y() + t.height()).isEqualTo(5000));
        // an ordinary frame keeps its size
        assertThat(Tiling.sizeFor(384, 0.25, 1920, 1080)).isEqualTo(384);
        assertThat(Tiling.sizeFor(256, 0.25, 1920, 1080)).isEqualTo(256);
    }

    @Test
    void aSmallPartGetsOneWholeTileCentredOnItAndKeptInsideTheFrame() {
        assertThat(Tiling.cover(600, 300, 40, 40, 384, 0.25, 1280, 720))
                .containsExactly(new Tiling.Region(428, 128, 384, 384));
        // at the corner: moved inside, not cut short
        assertThat(Tiling.cover(1250, -20, 40, 40, 384, 0.25, 1280, 720))
                .containsExactly(new Tiling.Region(896, 0, 384, 384));
        // wider than a tile: two overlapping tiles over it, one row
        List<Tiling.Region> wide = Tiling.cover(100, 300, 600, 100, 384, 0.25, 1280, 720);
        assertThat(wide).extracting(Tiling.Region::y).containsOnly(158);
        assertThat(wide).hasSize(2);
        assertThat(wide.get(0).x()).isEqualTo(100);
        assertThat(wide.get(1).x() + wide.get(1).width()).isEqualTo(700);
        // at a fractional place: still one tile
        assertThat(Tiling.cover(807.9, 508.9, 76.8, 76.8, 384, 0.25, 1920, 1080)).hasSize(1);
        // a frame no bigger than a tile: the frame
        assertThat(Tiling.cover(10, 10, 20, 20, 384, 0.25, 300, 200)).containsExactly(new Tiling.Region(0, 0, 300, 200));
    }
}
