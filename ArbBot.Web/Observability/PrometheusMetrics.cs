using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArbBot.Engine.Control;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Lifecycle;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;

namespace ArbBot.Web.Observability;

/// <summary>
/// <c>/metrics</c> in the Prometheus text exposition format (version 0.0.4). Everything is read from counters and
/// snapshots the engine already keeps; a scrape never touches the hub's thread.
/// </summary>
public sealed class PrometheusMetrics(
    MarketDataHub hub,
    DeskMetrics metrics,
    DeskMonitor monitor,
    DeskControls controls,
    DeskLifecycle lifecycle,
    QuoteBoard quotes,
    RecordWriter records,
    VenueApiHealth apiHealth,
    ArbBot.Engine.Notifications.NotificationQueue notificationQueue,
    ArbBot.Web.Hubs.DeskFeed deskFeed,
    ArbBot.Web.Hubs.DeskHubConnections hubConnections,
    IEnumerable<IVenue> venues)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _rateGate = new();
    private long _lastEvents = -1;
    private long _lastTimestamp;
    private double _lastRate;

    public string Render()
    {
        var text = new StringBuilder(4096);
        var events = hub.EventsApplied;
        Counter(text, "arbbot_book_events_total", "Book events applied by the market-data hub.", events);
        Gauge(text, "arbbot_book_events_per_second", "Book events applied per second since the previous scrape (at least one second apart).", BookEventRate(events));
        Counter(text, "arbbot_hub_errors_total", "Hub events that failed to apply.", hub.ErrorCount);
        Gauge(text, "arbbot_hub_queue_length", "Book events and work waiting for the market-data hub.", hub.QueueLength);
        Gauge(text, "arbbot_dashboard_feed_queued", "Engine events and batches waiting to be pushed to hub clients (bounded).", deskFeed.Queued);
        Gauge(text, "arbbot_dashboard_hub_clients", "Clients connected to the desk's SignalR hub.", hubConnections.Count);
        Gauge(text, "arbbot_gc_heap_bytes", "Bytes the garbage collector counts as in use (GC.GetTotalMemory).", GC.GetTotalMemory(false));

        var (cumulative, count, sum) = metrics.DecisionLatency.Read();
        Header(text, "arbbot_decision_latency_seconds", "Time from an opportunity reaching the desk to its decision (risk gate, record, hand-off to execution).", "histogram");
        for (var i = 0; i < LatencyHistogram.BoundsSeconds.Length; i++)
        {
            text.Append("arbbot_decision_latency_seconds_bucket{le=\"").Append(Number(LatencyHistogram.BoundsSeconds[i])).Append("\"} ").Append(cumulative[i]).Append('\n');
        }
        text.Append("arbbot_decision_latency_seconds_bucket{le=\"+Inf\"} ").Append(cumulative[^1]).Append('\n');
        text.Append("arbbot_decision_latency_seconds_sum ").Append(Number(sum)).Append('\n');
        text.Append("arbbot_decision_latency_seconds_count ").Append(count).Append('\n');

        Gauge(text, "arbbot_open_orders", "Orders acknowledged and not final yet.", metrics.OpenOrders);
        var portfolio = monitor.Latest.Portfolio;
        Header(text, "arbbot_pnl_dollars", "Profit and loss in dollars: realized (after fees), unrealized (marked to mid), today's.", "gauge");
        Labelled(text, "arbbot_pnl_dollars", [("kind", "realized")], Number(portfolio.RealizedPnl));
        Labelled(text, "arbbot_pnl_dollars", [("kind", "unrealized")], Number(portfolio.UnrealizedPnl));
        Labelled(text, "arbbot_pnl_dollars", [("kind", "daily")], Number(portfolio.DailyPnl));
        Gauge(text, "arbbot_equity_dollars", "Cash plus positions at their value.", portfolio.Equity);
        Gauge(text, "arbbot_drawdown_dollars", "Peak equity minus equity.", portfolio.Drawdown);

        Header(text, "arbbot_websocket_reconnects_total", "Market-data WebSocket connections after the first, per venue.", "counter");
        Header(text, "arbbot_feed_up", "1 while the venue's market-data feed is live.", "gauge");
        foreach (var venue in venues)
        {
            var reconnects = venue.MarketData is KalshiMarketDataFeed kalshi ? Math.Max(0, kalshi.Connections - 1) : 0;
            Labelled(text, "arbbot_websocket_reconnects_total", [("venue", venue.Id.ToString())], reconnects.ToString(CultureInfo.InvariantCulture));
            Labelled(text, "arbbot_feed_up", [("venue", venue.Id.ToString())], venue.MarketData.State == FeedState.Live ? "1" : "0");
        }
        Gauge(text, "arbbot_stale_books", "Order books the desk will not trade on until fresh data arrives.", quotes.Current.Count(q => q.Stale != StaleReason.None));

        Counter(text, "arbbot_notification_failures_total", "Notifications that failed after every retry.", metrics.NotificationFailures);
        Counter(text, "arbbot_notifications_sent_total", "Notifications delivered.", metrics.NotificationsSent);
        Counter(text, "arbbot_notifications_dropped_total", "Notifications dropped (queue full or over the rate limit).", metrics.NotificationsDropped + notificationQueue.Dropped);

        Gauge(text, "arbbot_records_pending", "Records waiting to be saved.", records.Pending);
        Counter(text, "arbbot_record_save_failures_total", "Failed record saves (each retried).", records.Failures);
        Gauge(text, "arbbot_trading_held", "1 while the desk holds trading for its life cycle (starting, reconciling, stopping).", lifecycle.HoldsTrading ? 1 : 0);
        Gauge(text, "arbbot_trading_paused", "1 while an admin has paused trading.", controls.TradingPaused ? 1 : 0);
        Gauge(text, "arbbot_kill_switch_engaged", "1 while the kill switch is engaged.", controls.KillSwitchEngaged ? 1 : 0);

        var endpoints = apiHealth.Snapshot();
        Header(text, "arbbot_venue_api_calls_total", "Venue REST calls per endpoint (each retry counts).", "counter");
        foreach (var e in endpoints) Labelled(text, "arbbot_venue_api_calls_total", [("venue", e.Venue.ToString()), ("endpoint", e.Endpoint)], e.Calls.ToString(CultureInfo.InvariantCulture));
        Header(text, "arbbot_venue_api_errors_total", "Venue REST calls that failed, per endpoint.", "counter");
        foreach (var e in endpoints) Labelled(text, "arbbot_venue_api_errors_total", [("venue", e.Venue.ToString()), ("endpoint", e.Endpoint)], e.Errors.ToString(CultureInfo.InvariantCulture));
        Header(text, "arbbot_venue_api_latency_seconds", "Mean latency of venue REST calls per endpoint.", "gauge");
        foreach (var e in endpoints) Labelled(text, "arbbot_venue_api_latency_seconds", [("venue", e.Venue.ToString()), ("endpoint", e.Endpoint)], Number(e.MeanLatency.TotalSeconds));
        return text.ToString();
    }

    private double BookEventRate(long events)
    {
        lock (_rateGate)
        {
            var now = Stopwatch.GetTimestamp();
            if (_lastEvents < 0)
            {
                (_lastEvents, _lastTimestamp) = (events, now);
                return 0;
            }
            var seconds = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            if (seconds < 1) return _lastRate;
            _lastRate = (events - _lastEvents) / seconds;
            (_lastEvents, _lastTimestamp) = (events, now);
            return _lastRate;
        }
    }

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help, "counter");
        text.Append(name).Append(' ').Append(value).Append('\n');
    }

    private static void Gauge(StringBuilder text, string name, string help, double value) => Gauge(text, name, help, Number(value));

    private static void Gauge(StringBuilder text, string name, string help, decimal value) => Gauge(text, name, help, Number(value));

    private static void Gauge(StringBuilder text, string name, string help, long value) => Gauge(text, name, help, value.ToString(CultureInfo.InvariantCulture));

    private static void Gauge(StringBuilder text, string name, string help, string value)
    {
        Header(text, name, help, "gauge");
        text.Append(name).Append(' ').Append(value).Append('\n');
    }

    private static void Labelled(StringBuilder text, string name, (string Name, string Value)[] labels, string value)
    {
        text.Append(name).Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
        }
        text.Append("} ").Append(value).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

public static class MetricsEndpoints
{
    /// <summary>
    /// <c>/metrics</c> for Prometheus. Needs the read API key (or a signed-in user): positions, PnL and order flow are
    /// the desk's business. Prometheus sends the key as <c>Authorization: Bearer &lt;read key&gt;</c> (its
    /// <c>authorization</c> scrape setting) or as an <c>X-Api-Key</c> header; see README.
    /// </summary>
    public static IEndpointRouteBuilder MapArbBotMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (PrometheusMetrics metrics) => Results.Text(metrics.Render(), PrometheusMetrics.ContentType)).RequireAuthorization(Api.DeskApi.ReadPolicy);
        return endpoints;
    }
}
