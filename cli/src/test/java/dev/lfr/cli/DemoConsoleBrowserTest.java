package dev.lfr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.console.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * What a new user does with {@code ./lfr demo}: open the printed console URL in a browser, log in with the printed
 * demo officer, see the alert of a replayed walk-past arrive beside its watchlist photo, confirm it, and find the
 * confirmation counted in the deployment's published metrics.
 */
class DemoConsoleBrowserTest {
    private static final Pattern URL = Pattern.compile("officer console: (http://\\S+)");
    private static final Pattern LOGIN = Pattern.compile("log in as demo-officer / (\\S+)");

    @Test
    void anOfficerConfirmsAReplayedWalkPastsAlertAndTheDashboardCountsIt(@TempDir Path out) throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            StringWriter printed = new StringWriter();
            StringWriter errors = new StringWriter();
            int[] code = {-1};
            Thread demo = new Thread(() -> code[0] = Lfr.run(new String[] {"demo", "--duration", "20", "--cameras", "1", "--fps", "5",
                "--console-port", "0", "--console-for", "5m", "--out", out.toString()}, new PrintWriter(printed, true),
                    new PrintWriter(errors, true)), "demo");
            demo.start();
            try {
                Matcher url = await(printed, URL);
                Matcher login = await(printed, LOGIN);
                chromium.driver().get(url.group(1));
                chromium.waiting(Duration.ofSeconds(20)).until(d -> d.findElement(By.id("login-name")).isDisplayed());
                chromium.driver().findElement(By.id("login-name")).sendKeys("demo-officer");
                chromium.driver().findElement(By.id("login-password")).sendKeys(login.group(1), Keys.ENTER);

                By cards = By.cssSelector("#alert-list li");
                chromium.waiting(Duration.ofSeconds(120)).until(d -> !d.findElements(cards).isEmpty()); // live, as the walk-past passes
                chromium.waiting(Duration.ofSeconds(20)).until(d -> loaded(chromium, "probe") && loaded(chromium, "reference"));
                WebElement first = chromium.driver().findElements(cards).get(0);
                assertThat(first.getText()).contains("awaiting review");
                screenshot(chromium, "console-review.png");

                new Actions(chromium.driver()).sendKeys("c").perform();
                chromium.waiting(Duration.ofSeconds(30)).until(d -> d.findElement(By.id("r-state")).getText().startsWith("confirmed by demo-officer"));

                chromium.driver().findElement(By.id("tab-dashboard")).click();
                // the job counts the verdict in the window it was given in, published at most two windows later
                chromium.waiting(Duration.ofSeconds(120)).until(d -> d.findElement(By.id("m-confirmed")).getText().equals("1"));
                assertThat(Long.parseLong(chromium.driver().findElement(By.id("m-faces")).getText())).isPositive();
                assertThat(chromium.driver().findElement(By.id("m-false")).getText()).isEqualTo("0");
                screenshot(chromium, "console-dashboard.png");
                await(printed, Pattern.compile("the console stays open at")); // the replay is over and reported
            } finally {
                demo.interrupt(); // ends the console's wait; the demo then closes its stack
                demo.join(Duration.ofSeconds(120).toMillis());
            }
            assertThat(code[0]).as(errors.toString()).isZero();
            List<String> lines = printed.toString().lines().toList();
            assertThat(new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("true_alerts").asInt()).isPositive();
        }
    }

    private static Matcher await(StringWriter printed, Pattern p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(printed.toString());
            if (m.find()) {
                return m;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the demo never printed " + p + "; it printed:\n" + printed);
    }

    private static boolean loaded(HeadlessChromium chromium, String img) {
        return Boolean.TRUE.equals(chromium.script("const i = document.getElementById(arguments[0]); return i.complete && i.naturalWidth > 0", img));
    }

    /** Kept in target/ for the README's screenshots. */
    private static void screenshot(HeadlessChromium chromium, String name) throws Exception {
        Path shot = chromium.driver().getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
    }
}
