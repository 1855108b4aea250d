package dev.lfr.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.kafka.ControlTopicReads;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The job's graph as a savepoint sees it, built with its Kafka sources and sinks (nothing connects until it runs).
 * A restore maps state to operators by uid: an operator without one gets a hash that changes with the graph around
 * it, and a renamed uid leaves its state behind (a restore then fails, or with --allowNonRestoredState, silently
 * drops the watchlist, the open alerts or the metric windows).
 */
class JobGraphTest {
    /** The operators that keep state, by the uids that savepoints already hold: renaming one breaks every upgrade. */
    private static final List<String> STATEFUL = List.of(
            "frames-source", "deployments-source", "watchlist-source", "adjudications-source", // Kafka offsets
            "deployment-gate", "face-matcher", "alert-dedup", "adjudication-join", "metrics-windows",
            "alerts-sink", "metrics-sink", "dead-letters-sink");                                   // Kafka transactions

    private static StreamGraph graph() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveMatchJob.Config config = LiveMatchJob.Config.defaults();
        LiveMatchJob.build(LiveMatchJob.kafkaSources(env, "localhost:9092", "g"),
                LiveMatchJob.kafkaSinks("localhost:9092", "g", SinkDelivery.defaults()), config,
                ControlTopicReads.kafka("localhost:9092", config.input()));
        return env.getStreamGraph();
    }

    @Test
    void everyOperatorHasAUidOfItsOwnAndTheStatefulOnesKeepTheirs() {
        List<StreamNode> nodes = List.copyOf(graph().getStreamNodes());
        assertThat(nodes).allSatisfy(n -> assertThat(n.getTransformationUID()).as(n.getOperatorName()).isNotBlank());
        // and a name of ours, not Flink's default for its kind, in the web UI, the logs and the metric scopes
        assertThat(nodes).extracting(StreamNode::getOperatorName).doesNotContainAnyElementsOf(List.of("Map", "Filter",
                "Process", "KeyedProcess", "Co-Process-Broadcast", "Co-Process-Broadcast-Keyed", "Timestamps/Watermarks",
                "Writer", "Committer", "Source: Custom Source"));
        List<String> uids = nodes.stream().map(StreamNode::getTransformationUID).toList();
        assertThat(uids).doesNotHaveDuplicates().containsAll(STATEFUL);
        // and the keyed ones are those the job keys: by camera, by walk-past, by alert, by deployment
        assertThat(nodes.stream().filter(n -> n.getStateKeySerializer() != null).map(StreamNode::getTransformationUID))
                .containsExactlyInAnyOrder("face-matcher", "alert-dedup", "adjudication-join", "metrics-windows");
    }
}
