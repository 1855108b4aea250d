package dev.lfr.loadtest.replay;

import dev.lfr.loadtest.eval.CentreFace;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The people of a walk-past replay: face crops to walk past with, and for every other person an enrolment template
 * (the watchlist). From a gallery DIR/&lt;identity&gt;/&lt;images&gt; the template comes from the first image and the
 * walk-past from the last (or the last {@code walkPhotos}), so they are never the same photo; each photo gives its
 * labelled face, the one nearest its centre ({@link CentreFace}: the largest is often a bystander, and a walk-past
 * under one name with another person's face scores a correct alert as false); without a gallery, from
 * the faces in the sample photos of the fetched npm packages (there the template and the walk-past come from the
 * same photo).
 */
public final class ReplayPeople {
    /**
     * A person; {@code template} is null when not on the watchlist, {@code reference} (a JPEG of the enrolment
     * face, the watchlist photo an officer compares with) then too.
     */
    public record Person(String id, List<FrameImage> walkCrops, float[] template, byte[] reference) {
        public WalkPastScenes.Person walker() {
            return new WalkPastScenes.Person(id, walkCrops);
        }
    }

    private ReplayPeople() {}

    /**
     * @param engine     finds and embeds the faces (the replay's embedder and detector)
     * @param gallery    DIR/&lt;identity&gt;/&lt;images&gt;, or null for the sample faces of {@code models}
     * @param walkPhotos how many of each gallery identity's photos (never its enrolment photo) a walk-past shows
     * @param minPhotos  gallery identities with fewer photos are left out (at least 2: one to enrol, one to walk)
     * @throws IllegalArgumentException when the gallery is missing or holds no usable face
     */
    public static List<Person> load(ModelStore models, FaceEngine engine, Path gallery, int maxPeople, int walkPhotos,
                                    int minPhotos) throws Exception {
        if (minPhotos < 2) {
            throw new IllegalArgumentException("a gallery identity needs at least 2 photos, one to enrol and one to walk");
        }
        List<Person> people = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        if (gallery != null) {
            people.addAll(fromGallery(engine, decoder, gallery, maxPeople, walkPhotos, minPhotos));
        } else {
            int n = 0;
            for (Path photo : models.samples()) {
                try (FrameImage img = decoder.decode(photo)) {
                    for (FaceResult r : engine.analyse(img)) {
                        if (r.usable() && people.size() < maxPeople) {
                            String id = photo.getFileName().toString().replace(".jpg", "") + "-face" + (++n);
                            boolean enrol = people.size() % 2 == 0;
                            byte[] face = faceJpeg(img, r);
                            people.add(new Person(id, List.of(decoder.decode(face)),
                                    enrol ? r.descriptor().orElseThrow().vector() : null, enrol ? face : null));
                        }
                    }
                }
            }
        }
        if (people.isEmpty()) {
            throw new IllegalArgumentException("no usable face to walk past with");
        }
        return people;
    }

    private static byte[] faceJpeg(FrameImage img, FaceResult face) {
        return WalkPastScenes.crop(img, face.detection().box());
    }

    private static List<Person> fromGallery(FaceEngine e, ImageDecoder decoder, Path gallery, int maxPeople,
                                            int walkPhotos, int minPhotos) throws Exception {
        if (!Files.isDirectory(gallery)) {
            throw new IllegalArgumentException("no such gallery folder: " + gallery);
        }
        List<Person> people = new ArrayList<>();
        List<Path> identities;
        try (Stream<Path> s = Files.list(gallery)) {
            identities = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("_")).sorted().toList();
        }
        for (Path identity : identities) {
            if (people.size() >= maxPeople) {
                break;
            }
            List<Path> images;
            try (Stream<Path> s = Files.list(identity)) {
                images = s.filter(Files::isRegularFile).sorted().toList();
            }
            if (images.size() < minPhotos) {
                continue; // at least 2: the walk-past photo must not be the enrolment photo
            }
            boolean enrol = people.size() % 2 == 0;
            float[] template = null;
            byte[] reference = null;
            if (enrol) {
                try (FrameImage img = decoder.decode(images.get(0))) {
                    var face = CentreFace.labelled(e, img);
                    template = face.flatMap(FaceResult::descriptor).map(d -> d.vector()).orElse(null);
                    reference = face.map(f -> faceJpeg(img, f)).orElse(null);
                }
            }
            List<FrameImage> crops = new ArrayList<>();
            for (Path photo : images.subList(Math.max(1, images.size() - walkPhotos), images.size())) {
                try (FrameImage walk = decoder.decode(photo)) {
                    var face = CentreFace.labelled(e, walk);
                    if (face.isPresent()) {
                        crops.add(decoder.decode(faceJpeg(walk, face.get())));
                    }
                }
            }
            if (crops.isEmpty() || (enrol && template == null)) {
                crops.forEach(FrameImage::close);
                continue;
            }
            people.add(new Person(identity.getFileName().toString(), crops, template, reference));
        }
        return people;
    }
}
