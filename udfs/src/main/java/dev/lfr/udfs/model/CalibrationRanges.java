package dev.lfr.udfs.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The calibrated activation ranges an 8-bit model is built from at install time, committed beside the catalogue as
 * {@code int8/<model id>.json} (as TensorRT ships INT8 calibration caches): {@code from} is the float model, checked by
 * its sha256 so that ranges are never applied to another model, {@code calibration} says what faces gave them and
 * {@code keepFloat} names the outputs of the convolutions left in float.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CalibrationRanges(String from, String fromSha256, String calibration, Set<String> keepFloat,
                                Map<String, float[]> ranges) {

    public static CalibrationRanges of(String from, String fromSha256, String calibration, Set<String> keepFloat,
                                       Map<String, Int8Quantizer.Range> ranges) {
        Map<String, float[]> plain = new TreeMap<>();
        ranges.forEach((k, r) -> plain.put(k, new float[] {r.min(), r.max()}));
        return new CalibrationRanges(from, fromSha256, calibration, new TreeSet<>(keepFloat), plain);
    }

    /** The ranges committed for the model {@code id}. */
    public static CalibrationRanges load(String id) {
        try {
            return ModelCatalog.JSON.readValue(committed(id), CalibrationRanges.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the calibration ranges of " + id, e);
        }
    }

    /** The committed file as bytes (its sha256 tells an install whether the model was built from these ranges). */
    static byte[] committed(String id) {
        try (InputStream in = CalibrationRanges.class.getResourceAsStream("int8/" + id + ".json")) {
            if (in == null) {
                throw new ModelInstallException("no calibration ranges are committed for " + id);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the calibration ranges of " + id, e);
        }
    }

    public Map<String, Int8Quantizer.Range> asRanges() {
        Map<String, Int8Quantizer.Range> out = new LinkedHashMap<>();
        ranges.forEach((k, v) -> out.put(k, new Int8Quantizer.Range(v[0], v[1])));
        return out;
    }

    public void write(Path file) throws IOException {
        ModelCatalog.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }
}
