package dev.lfr.jobs.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.DeadLetterReason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** An operator who meets a reason code on the dead-letter topic finds it in docs/dead-letters.md. */
class DeadLetterDocsTest {
    @Test
    void everyReasonCodeIsDocumented() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "dead-letters.md"));
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertThat(docs).as(reason.name()).contains("`" + reason.name() + "`");
        }
    }
}
