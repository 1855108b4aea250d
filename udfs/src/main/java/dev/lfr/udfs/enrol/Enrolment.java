package dev.lfr.udfs.enrol;

import ai.onnxruntime.OrtException;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecodeException;
import dev.lfr.udfs.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds watchlist templates from a folder laid out as {@code DIR/<subject>/<images>}. An image is accepted only if
 * it holds exactly one face that passes the engine's quality gate (an enrolment photo with two faces could enrol the
 * wrong person); a subject's template is the normalised mean of its accepted descriptors (several images measured
 * far better than one on LFW). Not thread-safe (it uses the caller's engine).
 */
public final class Enrolment {
    /** One subject's result: its template (null when no image was accepted), the accepted images and rejections. */
    public record Subject(String id, float[] template, String embeddingModel, List<Path> accepted, List<String> rejections) {
        public boolean enrolled() {
            return template != null;
        }
    }

    private final FaceEngine engine;
    private final ImageDecoder decoder = new ImageDecoder();

    public Enrolment(FaceEngine engine) {
        this.engine = engine;
    }

    public List<Subject> enrolAll(Path dir) throws IOException, OrtException {
        List<Path> subjects;
        try (Stream<Path> s = Files.list(dir)) {
            subjects = s.filter(Files::isDirectory).sorted().toList();
        }
        List<Subject> out = new ArrayList<>();
        for (Path subject : subjects) {
            out.add(enrol(subject));
        }
        return out;
    }

    public Subject enrol(Path subjectDir) throws IOException, OrtException {
        List<Path> images;
        try (Stream<Path> s = Files.list(subjectDir)) {
            images = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Path> accepted = new ArrayList<>();
        List<String> rejections = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (Path image : images) {
            try (FrameImage frame = decoder.decode(image)) {
                List<FaceResult> faces = engine.analyse(frame);
                List<FaceResult> usable = faces.stream().filter(FaceResult::usable).toList();
                if (usable.size() == 1 && faces.size() == 1) {
                    accepted.add(image);
                    vectors.add(usable.get(0).descriptor().map(FaceDescriptor::vector).orElseThrow());
                } else if (faces.isEmpty()) {
                    rejections.add(image + ": no face found");
                } else if (usable.isEmpty()) {
                    rejections.add(image + ": the face is not usable (" + faces.get(0).rejected() + ")");
                } else {
                    rejections.add(image + ": " + faces.size() + " faces; enrol from photos of the subject alone");
                }
            } catch (ImageDecodeException e) {
                rejections.add(image + ": " + e.getMessage());
            }
        }
        String id = subjectDir.getFileName().toString();
        String model = engine.embedder().embeddingModel();
        return new Subject(id, vectors.isEmpty() ? null : normalisedMean(vectors), model, List.copyOf(accepted),
                List.copyOf(rejections));
    }

    /** The L2-normalised mean of descriptors: a subject's template. */
    public static float[] normalisedMean(List<float[]> vectors) {
        float[] mean = new float[vectors.get(0).length];
        for (float[] v : vectors) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += v[i];
            }
        }
        return new FaceDescriptor("mean", mean).vector();
    }
}
