package dev.lfr.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.udfs.pipeline.MotionGate;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The cameras one gateway reads, from YAML:
 *
 * <pre>
 * stall_timeout_s: 10          # no frame for this long: the stream is reopened
 * backoff_max_s: 30            # reopening waits 1 s, 2 s, 4 s ... up to this
 * queue_frames: 25             # per camera, while the broker is slow; the oldest go first
 * cameras:
 *   - id: cam-1
 *     url: rtsp://10.0.0.5:554/stream1     # never with user:password@ in it
 *     fps: 5                               # sampled evenly from the stream's rate
 *     max_width: 1920                      # larger frames are scaled down, aspect kept
 *     max_height: 1080
 *     jpeg_quality: 85
 *     username: admin                      # optional; the password from
 *     password_env: CAM1_PASSWORD          #   an environment variable, or
 *     # password_file: /run/secrets/cam1   #   a file (its first line)
 *     options: {rtsp_transport: tcp}       # FFmpeg options for this stream
 *     decode_all_frames: false             # false: frames no other frame needs (B-frames) are not decoded
 *     motion_gate:                         # a sampled frame whose scene did not change is not sent
 *       enabled: true
 *       send_every: 10                     #   but every 10th sampled frame is, still or not
 *       changed_fraction: 0.0015           #   share of an 80x45 grey thumbnail's pixels that must change
 * </pre>
 */
public record GatewayConfig(List<Camera> cameras, Duration stallTimeout, Duration backoffMax, int queueFrames) {
    /** One camera; {@link #url} holds no credentials, so it may be logged. */
    public record Camera(String id, String url, double fps, int maxWidth, int maxHeight, int jpegQuality, String username,
                         String passwordEnv, String passwordFile, Map<String, String> options, boolean decodeAllFrames,
                         MotionGate.Config motionGate) {
        /** The URL to open, with the credentials put in from their environment variable or file. */
        public String openUrl(Function<String, String> env) {
            if (username == null) {
                return url;
            }
            String password;
            if (passwordEnv != null) {
                password = env.apply(passwordEnv);
                if (password == null) {
                    throw new GatewayException("camera " + id + ": environment variable " + passwordEnv + " is not set");
                }
            } else {
                try {
                    password = Files.readAllLines(Path.of(passwordFile), StandardCharsets.UTF_8).stream().findFirst().orElse("");
                } catch (IOException e) {
                    throw new GatewayException("camera " + id + ": cannot read password_file " + passwordFile);
                }
            }
            URI u = URI.create(url);
            String userInfo = encode(username) + ":" + encode(password);
            return u.getScheme() + "://" + userInfo + "@" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        }

        private static String encode(String s) {
            return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    /** The highest frame rate a camera may be sampled at (and a replay may send at). */
    public static final int MAX_FPS = 60;

    /** Whether {@code fps} is a rate a camera may be sampled at: above 0, at most {@link #MAX_FPS}, never NaN. */
    public static boolean isCameraRate(double fps) {
        return fps > 0 && fps <= MAX_FPS; // NaN fails both
    }

    /** A still camera's frames are sent at least this often (at 5 fps: every minute). */
    static final int MAX_SEND_EVERY = 300;
    private static final Set<String> SCHEMES = Set.of("rtsp", "rtsps", "http", "https", "udp", "tcp", "rtp", "srt", "file");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1," + InputRules.MAX_ID + "}");

    public static GatewayConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GatewayException("no gateway config " + file);
        }
        ConfigFile f;
        try {
            f = YAML.readValue(file.toFile(), ConfigFile.class);
        } catch (IOException e) {
            throw new GatewayException("gateway config " + file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"));
        }
        return of(f);
    }

    static GatewayConfig of(ConfigFile f) {
        if (f.cameras == null || f.cameras.isEmpty()) {
            throw new GatewayException("the gateway config lists no cameras");
        }
        Set<String> ids = new HashSet<>();
        List<Camera> cameras = f.cameras.stream().map(c -> camera(c, ids)).toList();
        positive(f.stallTimeoutS, "stall_timeout_s");
        positive(f.backoffMaxS, "backoff_max_s");
        // each queued frame is a JPEG of up to a few hundred kB, per camera: a larger queue is memory, not safety
        if (f.queueFrames < 1 || f.queueFrames > 250) {
            throw new GatewayException("queue_frames is 1 to 250, not " + f.queueFrames);
        }
        return new GatewayConfig(cameras, Duration.ofMillis(Math.round(f.stallTimeoutS * 1000)),
                Duration.ofMillis(Math.round(f.backoffMaxS * 1000)), f.queueFrames);
    }

    private static Camera camera(CameraEntry c, Set<String> ids) {
        if (c.id == null || !ID.matcher(c.id).matches()) {
            throw new GatewayException("a camera id is 1 to " + InputRules.MAX_ID + " letters, digits or . _ : -, not " + c.id);
        }
        if (!ids.add(c.id)) {
            throw new GatewayException("camera " + c.id + " is listed twice");
        }
        String where = "camera " + c.id + ": ";
        URI u;
        try {
            u = new URI(c.url == null ? "" : c.url);
        } catch (URISyntaxException e) {
            throw new GatewayException(where + "url is not a URL");
        }
        if (u.getScheme() == null || !SCHEMES.contains(u.getScheme().toLowerCase(Locale.ROOT))) {
            throw new GatewayException(where + "url is rtsp://, rtsps://, http(s)://, udp://, tcp://, rtp://, srt:// or file:, not " + c.url);
        }
        if (u.getRawUserInfo() != null) {
            // a password in the URL would be in the config file and in every log line that names the camera
            throw new GatewayException(where + "put credentials in username and password_env or password_file, not in the url");
        }
        if (!isCameraRate(c.fps)) {
            throw new GatewayException(where + "fps is above 0 and at most " + MAX_FPS + ", not " + c.fps);
        }
        if (c.maxWidth < 16 || c.maxHeight < 16 || c.maxWidth > InputRules.MAX_SIDE || c.maxHeight > InputRules.MAX_SIDE) {
            throw new GatewayException(where + "max_width and max_height are 16 to " + InputRules.MAX_SIDE);
        }
        if (c.jpegQuality < 1 || c.jpegQuality > 100) {
            throw new GatewayException(where + "jpeg_quality is 1 to 100, not " + c.jpegQuality);
        }
        if (c.username != null && (c.passwordEnv == null) == (c.passwordFile == null)) {
            throw new GatewayException(where + "a username needs exactly one of password_env and password_file");
        }
        if (c.username == null && (c.passwordEnv != null || c.passwordFile != null)) {
            throw new GatewayException(where + "a password needs a username");
        }
        MotionGateEntry m = c.motionGate == null ? new MotionGateEntry() : c.motionGate;
        // larger, and a still camera would look dead to the job for minutes
        if (m.sendEvery < 1 || m.sendEvery > MAX_SEND_EVERY) {
            throw new GatewayException(where + "motion_gate: send_every is 1 to " + MAX_SEND_EVERY + " frames, not " + m.sendEvery);
        }
        MotionGate.Config motion;
        try {
            motion = new MotionGate.Config(m.enabled, m.sendEvery, m.changedFraction);
        } catch (IllegalArgumentException e) {
            throw new GatewayException(where + "motion_gate: " + e.getMessage());
        }
        return new Camera(c.id, c.url, c.fps, c.maxWidth, c.maxHeight, c.jpegQuality, c.username, c.passwordEnv, c.passwordFile,
                c.options == null ? Map.of() : Map.copyOf(c.options), c.decodeAllFrames, motion);
    }

    private static void positive(double seconds, String name) {
        if (!(seconds > 0) || seconds > 3600) {
            throw new GatewayException(name + " is above 0 and at most 3600, not " + seconds);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** The file as written; defaults filled in. */
    static final class ConfigFile {
        public List<CameraEntry> cameras;
        @JsonProperty("stall_timeout_s")
        public double stallTimeoutS = 10;
        @JsonProperty("backoff_max_s")
        public double backoffMaxS = 30;
        @JsonProperty("queue_frames")
        public int queueFrames = 25;
    }

    static final class CameraEntry {
        public String id;
        public String url;
        public double fps = 5;
        @JsonProperty("max_width")
        public int maxWidth = 1920;
        @JsonProperty("max_height")
        public int maxHeight = 1080;
        @JsonProperty("jpeg_quality")
        public int jpegQuality = 85;
        public String username;
        @JsonProperty("password_env")
        public String passwordEnv;
        @JsonProperty("password_file")
        public String passwordFile;
        public Map<String, String> options;
        @JsonProperty("decode_all_frames")
        public boolean decodeAllFrames;
        @JsonProperty("motion_gate")
        public MotionGateEntry motionGate;
    }

    /** The job's motion gate, at the camera: defaults as {@link MotionGate.Config#defaults()}. */
    static final class MotionGateEntry {
        public boolean enabled = MotionGate.Config.defaults().enabled();
        @JsonProperty("send_every")
        public int sendEvery = MotionGate.Config.defaults().fullPassEvery();
        @JsonProperty("changed_fraction")
        public double changedFraction = MotionGate.Config.defaults().changedFraction();
    }
}
