using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Observability;

public sealed partial class MetricsEndpointTests
{
    private const string ReadKey = "metrics-read-key-0123456789";

    [Fact]
    public async Task Metrics_serves_prometheus_text_with_every_desk_series_and_live_counts()
    {
        await using var app = new DeskAppFactory(new Dictionary<string, string?> { ["ArbBot:Api:ReadKey"] = ReadKey });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadKey);

        // The simulator moves books from the start; wait until the hub has applied some and a decision was timed.
        Dictionary<string, double> samples;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
            text = await response.Content.ReadAsStringAsync();
            samples = Parse(text);
            if (samples["arbbot_book_events_total"] > 0 && samples["arbbot_decision_latency_seconds_count"] > 0) break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(samples["arbbot_book_events_total"] > 0);
        Assert.True(samples["arbbot_decision_latency_seconds_count"] > 0, "No decision was timed.");
        // Histogram buckets are cumulative and end at +Inf with the count.
        Assert.Equal(samples["arbbot_decision_latency_seconds_count"], samples["arbbot_decision_latency_seconds_bucket{le=\"+Inf\"}"]);
        foreach (var series in new[]
        {
            "arbbot_book_events_per_second", "arbbot_open_orders", "arbbot_pnl_dollars{kind=\"realized\"}", "arbbot_pnl_dollars{kind=\"daily\"}",
            "arbbot_equity_dollars", "arbbot_websocket_reconnects_total{venue=\"Kalshi\"}", "arbbot_stale_books", "arbbot_notification_failures_total",
            "arbbot_trading_held", "arbbot_feed_up{venue=\"Polymarket\"}",
        })
        {
            Assert.True(samples.ContainsKey(series), $"Missing {series} in:\n{text}");
        }
        Assert.Contains("# TYPE arbbot_decision_latency_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE arbbot_book_events_total counter", text, StringComparison.Ordinal);
    }

    /// <summary>Every sample line as "name{labels}" → value; a line that is not valid exposition format fails the test.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(Comment(), line);
                continue;
            }
            var match = Sample().Match(line);
            Assert.True(match.Success, $"Not a Prometheus sample: {line}");
            samples[match.Groups[1].Value] = double.Parse(match.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    [GeneratedRegex(@"^([a-z_]+(?:\{[a-z_]+=""[^""]*""(?:,[a-z_]+=""[^""]*"")*\})?) (-?[0-9.eE+-]+|NaN)$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"^# (HELP [a-z_]+ .+|TYPE [a-z_]+ (counter|gauge|histogram))$")]
    private static partial Regex Comment();
}
