package dev.lfr.governance.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.AuditAction;
import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {
    private static List<AuditChain.Link> chain(int n) {
        List<AuditChain.Link> links = new ArrayList<>();
        AuditRecord previous = null;
        byte[] bytes = null;
        for (int i = 0; i < n; i++) {
            previous = AuditChain.next(previous, bytes, new AuditEvent("sgt-" + i, AuditAction.SUBJECT_ENROLLED, null, "wl",
                    "s" + i, "enrolled", "wanted on warrant W/" + i), Instant.ofEpochMilli(1000L * i));
            bytes = AvroBytes.encode(previous);
            links.add(new AuditChain.Link(i, bytes));
        }
        return links;
    }

    @Test
    void anIntactChainVerifiesAndNamesItsHead() {
        List<AuditChain.Link> links = chain(4);
        AuditChain.Verdict v = AuditChain.verify(links);
        assertThat(v.intact()).isTrue();
        assertThat(v.records()).isEqualTo(4);
        assertThat(v.head()).isEqualTo(AuditChain.hash(links.get(3).value()));
        assertThat(AuditChain.verify(List.of()).head()).isEqualTo(AuditChain.GENESIS);
    }

    @Test
    void aChangedRecordBreaksTheNextLink() {
        List<AuditChain.Link> links = new ArrayList<>(chain(4));
        AuditRecord changed = AvroBytes.decode(links.get(1).value(), AuditRecord.class);
        changed.setWhy("no reason at all");
        links.set(1, new AuditChain.Link(1, AvroBytes.encode(changed)));
        AuditChain.Verdict v = AuditChain.verify(links);
        assertThat(v.intact()).isFalse();
        assertThat(v.records()).isEqualTo(2);
        assertThat(v.problem()).contains("record 2", "was changed");
    }

    @Test
    void aRemovedOrInsertedRecordBreaksTheSequence() {
        List<AuditChain.Link> removed = new ArrayList<>(chain(4));
        removed.remove(2);
        assertThat(AuditChain.verify(removed).problem()).contains("sequence 3 where 2 was due");
        List<AuditChain.Link> inserted = new ArrayList<>(chain(4));
        inserted.add(2, inserted.get(1));
        assertThat(AuditChain.verify(inserted).intact()).isFalse();
    }

    @Test
    void aValueThatIsNotAnAuditRecordBreaksTheChain() {
        List<AuditChain.Link> links = new ArrayList<>(chain(2));
        links.add(new AuditChain.Link(9, new byte[] {1, 2, 3}));
        assertThat(AuditChain.verify(links).problem()).startsWith("offset 9 is not an audit record");
    }
}
