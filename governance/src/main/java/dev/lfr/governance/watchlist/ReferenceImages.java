package dev.lfr.governance.watchlist;

import dev.lfr.governance.GovernanceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The local store of watchlist reference photos, which officers see beside an alert. Photos never go onto a topic:
 * an entry names its photo by {@code lfr-image:<watchlist>/<subject>/<file>}, and deleting the entry deletes the file.
 * One folder per watchlist and subject, the ids URL-encoded so no id can name a path outside the store.
 */
public final class ReferenceImages {
    public static final String SCHEME = "lfr-image:";

    private final Path root;

    public ReferenceImages(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Copies a photo into the store; returns its URI. */
    public String store(String watchlist, String subject, Path photo) {
        String name = photo.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')).toLowerCase(Locale.ROOT) : "";
        return write(watchlist, subject, "reference" + ext, target -> Files.copy(photo, target, StandardCopyOption.REPLACE_EXISTING));
    }

    /** Stores a JPEG photo given as bytes; returns its URI. */
    public String store(String watchlist, String subject, byte[] jpeg) {
        return write(watchlist, subject, "reference.jpg", target -> Files.write(target, jpeg));
    }

    private interface Writing {
        void to(Path target) throws IOException;
    }

    private String write(String watchlist, String subject, String file, Writing writing) {
        Path dir = subjectDir(watchlist, subject);
        try {
            Files.createDirectories(dir);
            writing.to(dir.resolve(file));
            return SCHEME + encode(watchlist) + "/" + encode(subject) + "/" + file;
        } catch (IOException e) {
            throw new GovernanceException("cannot store the reference photo in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The file an {@code lfr-image:} URI names, if it is still stored. */
    public java.util.Optional<Path> resolve(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            return java.util.Optional.empty();
        }
        String[] parts = uri.substring(SCHEME.length()).split("/", -1);
        if (parts.length != 3 || parts[2].contains("..")) {
            return java.util.Optional.empty();
        }
        Path p = subjectDir(decode(parts[0]), decode(parts[1])).resolve(parts[2]).normalize();
        return p.startsWith(root) && Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
    }

    /** Deletes a subject's photos; returns how many files went. */
    public int delete(String watchlist, String subject) {
        return deleteTree(subjectDir(watchlist, subject));
    }

    /** Deletes every photo of a watchlist; returns how many files went. */
    public int deleteWatchlist(String watchlist) {
        return deleteTree(watchlistDir(watchlist));
    }

    /** The subjects of a watchlist that have photos here. */
    public List<String> subjects(String watchlist) {
        Path dir = watchlistDir(watchlist);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> decode(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The watchlists that have photos here. */
    public List<String> watchlists() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> decode(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path watchlistDir(String watchlist) {
        return root.resolve(encode(watchlist));
    }

    private Path subjectDir(String watchlist, String subject) {
        return watchlistDir(watchlist).resolve(encode(subject));
    }

    private int deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(paths::add);
        } catch (IOException e) {
            throw new GovernanceException("cannot list " + dir + " to delete it: " + e.getMessage(), e);
        }
        int files = 0;
        for (Path p : paths) {
            try {
                files += Files.isRegularFile(p) ? 1 : 0;
                Files.delete(p);
            } catch (IOException e) {
                throw new GovernanceException("cannot delete " + p + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    /** URL-encoded, and never "." or "..", which would name the folder above. */
    private static String encode(String id) {
        String e = URLEncoder.encode(id, StandardCharsets.UTF_8);
        return e.equals(".") ? "%2E" : e.equals("..") ? "%2E%2E" : e;
    }

    private static String decode(String name) {
        return URLDecoder.decode(name, StandardCharsets.UTF_8);
    }
}
