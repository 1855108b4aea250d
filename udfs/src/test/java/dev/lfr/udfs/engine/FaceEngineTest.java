package dev.lfr.udfs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.lfr.udfs.align.AlignedFace;
import dev.lfr.udfs.align.FaceAligner;
import dev.lfr.udfs.detect.Detection;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.detect.Point;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.embed.FaceEmbedder;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelSpec;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chain on real LFW faces, for each embedder. */
class FaceEngineTest {
    private final ImageDecoder decoder = new ImageDecoder();

    @ParameterizedTest
    @ValueSource(strings = {"fr-feature-512", "fr-feature-512-int8", "dlib-resnet-128"})
    void samePersonIsCloserThanTheThresholdAndOthersAreFarther(String embedder) throws Exception {
        Path lfw = TestData.requireShared("lfw");
        try (FaceEngine engine = FaceEngine.withDefaults(TestData.models(), embedder)) {
            double t = engine.embedder().spec().verifyThreshold();
            FaceDescriptor a1 = main(engine, lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg"));
            FaceDescriptor a2 = main(engine, lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
            FaceDescriptor b1 = main(engine, lfw.resolve("Zico/Zico_0001.jpg"));
            FaceDescriptor b2 = main(engine, lfw.resolve("Zico/Zico_0002.jpg"));
            assertThat(a1.distance(a2)).isLessThan(t);
            assertThat(b1.distance(b2)).isLessThan(t);
            assertThat(a1.distance(b1)).isGreaterThan(t);
            assertThat(a2.distance(b2)).isGreaterThan(t);
            assertThat(a1.dimension()).isEqualTo(engine.embedder().dimension());
            assertThat(a1.embeddingModel()).isEqualTo(embedder);
            assertThat(a1.cosine(a1)).isCloseTo(1.0, offset(1e-5));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fr-feature-512", "dlib-resnet-128"})
    void batchedAndSingleEmbeddingsAgree(String embedder) throws Exception {
        try (FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults());
             FaceAligner aligner = new FaceAligner(TestData.models(), embedder);
             FaceEmbedder batched = new FaceEmbedder(TestData.models(), embedder, 8);
             FaceEmbedder single = new FaceEmbedder(TestData.models(), embedder, 1);
             FrameImage img = decoder.decode(TestData.models().samples().get(4))) {
            List<AlignedFace> chips = new ArrayList<>();
            for (Detection d : detector.detect(img)) {
                chips.add(aligner.align(img, d));
            }
            assertThat(chips).hasSizeGreaterThan(2);
            List<FaceDescriptor> all = batched.embedAll(chips);
            for (int i = 0; i < chips.size(); i++) {
                assertThat(all.get(i).cosine(single.embed(chips.get(i)))).isCloseTo(1.0, offset(1e-5));
            }
        }
    }

    /** A screening model embeds the chips aligned for the embedding model: another network is refused at open. */
    @Test
    void aScreeningModelMustBeAReducedFormOfTheEmbeddingModel() throws Exception {
        dev.lfr.udfs.pipeline.FramePipeline.Config base =
                dev.lfr.udfs.pipeline.FramePipeline.Config.defaults(TestData.models().dir(), "fr-feature-512");
        assertThatThrownBy(() -> new dev.lfr.udfs.pipeline.FramePipeline(TestData.models(),
                base.withScreening(new dev.lfr.udfs.pipeline.Screening("dlib-resnet-128", 0.05))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a reduced form");
        try (var screened = new dev.lfr.udfs.pipeline.FramePipeline(TestData.models(),
                base.withScreening(new dev.lfr.udfs.pipeline.Screening("fr-feature-512-int8", 0.05)));
             FrameImage img = decoder.decode(TestData.models().samples().get(0))) {
            List<Detection> faces = screened.detect(img).detections().subList(0, 1);
            FaceDescriptor first;
            FaceDescriptor exact;
            try (var aligned = screened.embedAligned(img, faces)) {
                first = aligned.descriptors().get(0);
                exact = screened.embedExactly(aligned, List.of(0)).get(0);
            }
            assertThat(first.embeddingModel()).isEqualTo("fr-feature-512-int8");
            assertThat(exact.embeddingModel()).isEqualTo("fr-feature-512");
            double cosine = new FaceDescriptor("fr-feature-512", first.vector()).cosine(exact);
            assertThat(cosine).as("one output space").isGreaterThan(0.95).isLessThan(0.99999);
        }
    }

    @Test
    void flipAveragingGivesAFaceAndItsMirrorOneDescriptor() throws Exception {
        String embedder = "fr-feature-512";
        try (FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults());
             FaceAligner aligner = new FaceAligner(TestData.models(), embedder);
             FaceEmbedder plain = new FaceEmbedder(TestData.models(), embedder, 8);
             FaceEmbedder flipped = new FaceEmbedder(TestData.models(), embedder, 8, true);
             FrameImage img = decoder.decode(TestData.models().samples().get(0))) {
            AlignedFace face = aligner.align(img, detector.detect(img).get(0));
            try (org.bytedeco.opencv.opencv_core.Mat m = new org.bytedeco.opencv.opencv_core.Mat()) {
                org.bytedeco.opencv.global.opencv_core.flip(face.chip().mat(), m, 1);
                AlignedFace mirror = new AlignedFace(embedder, FrameImage.wrap(m.clone()), face.landmarks(),
                        face.transform());
                // the sum of both views does not depend on which one the camera saw
                assertThat(flipped.embed(face).cosine(flipped.embed(mirror))).isCloseTo(1.0, offset(1e-5));
                assertThat(plain.embed(face).cosine(plain.embed(mirror))).isLessThan(0.9999);
                assertThat(flipped.embed(face).cosine(plain.embed(face))).isBetween(0.8, 0.9999);
                mirror.chip().close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fr-feature-512", "dlib-resnet-128"})
    void alignmentPutsTheLandmarksOnTheTemplate(String embedder) throws Exception {
        ModelSpec spec = TestData.models().spec(embedder);
        try (FaceDetector detector = new FaceDetector(TestData.models(), FaceDetector.Config.defaults());
             FaceAligner aligner = new FaceAligner(TestData.models(), embedder);
             FrameImage img = decoder.decode(TestData.models().samples().get(0))) {
            for (Detection d : detector.detect(img)) {
                AlignedFace f = aligner.align(img, d);
                assertThat(f.chip().width()).isEqualTo(spec.input().width());
                assertThat(f.chip().height()).isEqualTo(spec.input().height());
                double[][] template = spec.alignment().template();
                for (int i = 0; i < template.length; i++) {
                    Point p = f.transform().apply(f.landmarks().get(i));
                    // a least-squares fit leaves residuals, but each point lands within a tenth of the chip
                    assertThat(p.distanceTo(new Point(template[i][0], template[i][1])))
                            .isLessThan(spec.input().width() / 10.0);
                }
                f.chip().close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fr-feature-512"})
    void descriptorsOfDifferentModelsCannotBeCompared(String embedder) throws Exception {
        Path image = TestData.models().samples().get(0);
        try (FaceEngine fr = FaceEngine.withDefaults(TestData.models(), embedder);
             FaceEngine dlib = FaceEngine.withDefaults(TestData.models(), "dlib-resnet-128")) {
            FaceDescriptor a = main(fr, image);
            FaceDescriptor b = main(dlib, image);
            assertThatThrownBy(() -> a.distance(b)).isInstanceOf(IllegalArgumentException.class);
            assertThat(a.toString()).doesNotContain(String.valueOf(a.vector()[0]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fr-feature-512"})
    void tooSmallFacesAreRejectedWithAReasonAndNotEmbedded(String embedder) throws Exception {
        QualityGate strict = new QualityGate(1000, 0, 0, 10, 180, 0);
        try (FaceEngine engine = new FaceEngine(TestData.models(), embedder, FaceDetector.Config.defaults(), strict);
             FrameImage img = decoder.decode(TestData.models().samples().get(0))) {
            List<FaceResult> results = engine.analyse(img);
            assertThat(results).hasSize(3).allSatisfy(r -> {
                assertThat(r.usable()).isFalse();
                assertThat(r.rejected()).containsExactly(QualityGate.Reason.TOO_SMALL);
            });
        }
    }

    private FaceDescriptor main(FaceEngine engine, Path image) throws Exception {
        try (FrameImage img = decoder.decode(image)) {
            return engine.mainFace(img).flatMap(FaceResult::descriptor).orElseThrow();
        }
    }
}
