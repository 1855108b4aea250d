package dev.lfr.loadtest.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reviewed errors in a dataset's labels, so that an evaluation can report its rates with them corrected beside the
 * rates on the labels as published. Two kinds, one a line, tab-separated, each with the reviewer's reason:
 * <ul>
 *   <li>{@code same-person NAME OTHER WHY}: one person filed under two names; OTHER's images count as NAME's.</li>
 *   <li>{@code wrong-face IMAGE - WHY}: the face nearest the centre of IMAGE (a file name) is not the labelled
 *       person; the image is left out.</li>
 * </ul>
 * Blank lines and lines starting with '#' are comments. A line without a reason is refused: every correction must be
 * justified where it is made.
 *
 * @param sameAs    alias name to the name its images count as
 * @param wrongFace image file names left out
 */
public record LabelCorrections(Map<String, String> sameAs, Set<String> wrongFace) {
    /** The reviewed list for the LFW development half, shipped with the tool. */
    public static final String LFW = "lfw-label-corrections.tsv";

    public LabelCorrections {
        sameAs = Map.copyOf(sameAs);
        wrongFace = Set.copyOf(wrongFace);
    }

    public static LabelCorrections lfw() throws IOException {
        try (InputStream in = LabelCorrections.class.getResourceAsStream(LFW)) {
            if (in == null) {
                throw new IllegalStateException(LFW + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), LFW);
        }
    }

    public static LabelCorrections read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** @throws IllegalArgumentException naming the source and line of a malformed entry */
    public static LabelCorrections parse(String text, String source) {
        Map<String, String> sameAs = new LinkedHashMap<>();
        Set<String> wrongFace = new LinkedHashSet<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 4 || f[3].isBlank()) {
                throw new IllegalArgumentException(source + " line " + (i + 1)
                        + ": expected 'kind<TAB>name<TAB>other<TAB>why', got: " + line);
            }
            switch (f[0]) {
                case "same-person" -> {
                    if (f[1].equals(f[2]) || sameAs.containsKey(f[2])) {
                        throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + f[2] + " listed twice or as itself");
                    }
                    sameAs.put(f[2], f[1]);
                }
                case "wrong-face" -> wrongFace.add(f[1]);
                default -> throw new IllegalArgumentException(source + " line " + (i + 1) + ": unknown kind " + f[0]
                        + " (same-person or wrong-face)");
            }
        }
        return new LabelCorrections(sameAs, wrongFace);
    }

    /**
     * The identities with the corrections applied: an alias's images follow those of the name they count as (so the
     * enrolment photo stays that name's first), wrong-face images are left out, identities left empty are dropped.
     * Entries naming identities or images that are not there are ignored (the list covers the whole dataset).
     */
    public List<OpenSetEvaluation.Identity> apply(List<OpenSetEvaluation.Identity> identities) {
        Map<String, List<Path>> images = new LinkedHashMap<>();
        for (OpenSetEvaluation.Identity id : identities) {
            String name = canonical(id.name());
            List<Path> kept = id.images().stream().filter(p -> !wrongFace.contains(p.getFileName().toString())).toList();
            images.computeIfAbsent(name, n -> new ArrayList<>());
            if (name.equals(id.name())) {
                images.get(name).addAll(0, kept);
            } else {
                images.get(name).addAll(kept);
            }
        }
        List<OpenSetEvaluation.Identity> out = new ArrayList<>();
        images.forEach((name, list) -> {
            if (!list.isEmpty()) {
                out.add(new OpenSetEvaluation.Identity(name, List.copyOf(list)));
            }
        });
        return out;
    }

    private String canonical(String name) {
        String n = name;
        for (int hops = 0; sameAs.containsKey(n) && hops < 10; hops++) {
            n = sameAs.get(n);
        }
        return n;
    }
}
