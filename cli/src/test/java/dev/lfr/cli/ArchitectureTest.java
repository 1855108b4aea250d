package dev.lfr.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The code base's shape, held by the build. It lives here because this module sees every other module's classes;
 * the modules' test helpers are left out.
 */
class ArchitectureTest {
    private static final JavaClasses ALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.lfr");

    /** The live job's stages in data-flow order: each may use the ones before it, never one after it. */
    private static final String[] JOB_STAGES = {"ingest", "gate", "match", "alert"};

    @Test
    void noPackageDependsOnAPackageThatDependsOnIt() {
        slices().matching("dev.lfr.(**)").should().beFreeOfCycles().check(ALL);
    }

    @Test
    void theFaceEngineHasNoFlinkTypes() {
        noClasses().that().resideInAPackage("dev.lfr.udfs..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
                .check(ALL);
    }

    @Test
    void theCommandLineParsesAndPrintsAndLeavesTheWorkToTheModules() {
        noClasses().that().resideInAPackage("dev.lfr.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink.table..", "org.apache.flink.streaming..",
                        "org.apache.flink.runtime..", "org.apache.flink.types..", "org.bytedeco..", "ai.onnxruntime..")
                .check(ALL);
    }

    @Test
    void theJobsStagesFollowTheDataFlow() {
        for (int i = 0; i < JOB_STAGES.length - 1; i++) {
            String[] later = Arrays.stream(JOB_STAGES, i + 1, JOB_STAGES.length).map(s -> "dev.lfr.jobs." + s).toArray(String[]::new);
            noClasses().that().resideInAPackage("dev.lfr.jobs." + JOB_STAGES[i])
                    .should().dependOnClassesThat().resideInAnyPackage(later)
                    .check(ALL);
        }
        // where every stage sends what it counts and what it refuses: they know no stage
        String[] stages = Arrays.stream(JOB_STAGES).map(s -> "dev.lfr.jobs." + s).toArray(String[]::new);
        noClasses().that().resideInAnyPackage("dev.lfr.jobs.metrics", "dev.lfr.jobs.deadletter")
                .should().dependOnClassesThat().resideInAnyPackage(stages)
                .check(ALL);
    }
}
