package org.cladec.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.cladec.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens a demo run's report.html in headless Chromium (Debian's chromium and chromedriver, driven
 * by Selenium; nothing is downloaded), takes a screenshot, and checks the page as a reader gets it:
 * a measures row per layer, every image decoded, every plot with data points, and not a single
 * network request. Without Chromium the test is skipped on a developer machine and fails in CI
 * ({@code CI} set), where .ci/run installs it.
 */
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"),
            CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    @TempDir Path dir;

    @Test
    void theDemoReportRendersCompletelyWithoutNetwork() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            if (System.getenv("CI") != null)
                fail(
                        "CI: Chromium or chromedriver missing at "
                                + CHROMIUM
                                + ", "
                                + CHROMEDRIVER
                                + " (.ci/run installs them)");
            Assumptions.abort(
                    "Chromium not installed (apt-get install chromium chromium-driver); skipping the browser test outside CI");
        }
        Path run = dir.resolve("demo");
        int code =
                Main.commandLine()
                        .execute(
                                "demo",
                                "--out",
                                run.toString(),
                                "--train-limit",
                                "640",
                                "--test-limit",
                                "200",
                                "--epochs",
                                "1",
                                "--decoder-epochs",
                                "1",
                                "--eval-epochs",
                                "1",
                                "--sweep",
                                "0,0.5",
                                "--sweep-epochs",
                                "1",
                                "--batch-size",
                                "32");
        assertEquals(0, code);
        Path report = run.resolve("report.html");
        assertTrue(Files.size(report) < 5_000_000, "light: " + Files.size(report) + " bytes");
        JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());

        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")),
                "--window-size=1400,2000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, o);
        } catch (RuntimeException e) {
            fail("Chromium could not start: " + e.getMessage(), e);
            return;
        }
        try {
            driver.manage()
                    .logs()
                    .get(LogType.PERFORMANCE); // drop what the browser did before the report
            // (its own new-tab page)
            driver.get(report.toUri().toString());
            JavascriptExecutor js = driver;
            Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
            Files.createDirectories(shot.getParent());
            Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
            System.out.println("report screenshot: " + shot);

            long rows =
                    (Long)
                            js.executeScript(
                                    "return document.querySelectorAll('#measures-table tbody tr').length");
            assertEquals(metrics.get("layers").size(), rows, "a measures row per layer");
            long images = (Long) js.executeScript("return document.images.length");
            assertTrue(
                    images >= 2 * metrics.get("layers").size() + 1,
                    "grids, galleries and baselines: " + images);
            Boolean loaded =
                    (Boolean)
                            js.executeScript(
                                    "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)");
            assertTrue(loaded, "every <img> decoded");
            Boolean alt =
                    (Boolean)
                            js.executeScript(
                                    "return Array.from(document.images).every(i => i.alt && i.alt.length > 10)");
            assertTrue(alt, "every <img> has alt text");
            @SuppressWarnings("unchecked")
            List<Long> points =
                    (List<Long>)
                            js.executeScript(
                                    "return Array.from(document.querySelectorAll('svg.plot')).map(s => s.querySelectorAll('circle.pt').length)");
            assertTrue(points.size() >= 5, "loss, alpha (2) and per-layer (2) plots: " + points);
            for (long p : points) assertTrue(p > 0, "every plot has data points: " + points);
            @SuppressWarnings("unchecked")
            List<String> resources =
                    (List<String>)
                            js.executeScript(
                                    "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))");
            assertTrue(resources.isEmpty(), "no resource fetched: " + resources);
            for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
                String m = e.getMessage();
                if (m.contains("\"Network.requestWillBeSent\"")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> msg = new ObjectMapper().readValue(m, Map.class);
                    String url =
                            new ObjectMapper()
                                    .valueToTree(msg)
                                    .path("message")
                                    .path("params")
                                    .path("request")
                                    .path("url")
                                    .asText();
                    assertTrue(
                            !url.matches("(?i)(https?|wss?|ftp):.*"),
                            "network request attempted: " + url);
                }
            }
            String title = driver.getTitle();
            assertTrue(title.startsWith("ClaDec report"), title);
        } finally {
            driver.quit();
        }
    }
}
