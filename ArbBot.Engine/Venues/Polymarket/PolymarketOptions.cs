using System.ComponentModel.DataAnnotations;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Polymarket's public market data (section <c>ArbBot:Polymarket</c>), used when <c>ArbBot:Venues:Polymarket:Source</c>
/// is <c>Real</c>: discovery from the Gamma API, fee terms and books from the CLOB's REST API, live books from the
/// CLOB market WebSocket. None of it needs credentials; trading has its own settings.
/// </summary>
public sealed class PolymarketOptions : IValidatableObject
{
    public const string Section = "ArbBot:Polymarket";

    /// <summary>The Gamma API root (events and markets catalog).</summary>
    /// <value>An absolute http(s) URL. Default <c>https://gamma-api.polymarket.com</c>.</value>
    public Uri GammaUrl { get; set; } = new("https://gamma-api.polymarket.com");

    /// <summary>The CLOB REST root (books, per-market fee terms).</summary>
    /// <value>An absolute http(s) URL. Default <c>https://clob.polymarket.com</c>.</value>
    public Uri ClobUrl { get; set; } = new("https://clob.polymarket.com");

    /// <summary>The CLOB market-channel WebSocket.</summary>
    /// <value>An absolute ws(s) URL. Default <c>wss://ws-subscriptions-clob.polymarket.com/ws/market</c>.</value>
    public Uri MarketWebSocketUrl { get; set; } = new("wss://ws-subscriptions-clob.polymarket.com/ws/market");

    /// <summary>Only these events are discovered (Gamma event slugs, e.g. <c>fed-decision-in-december</c>); empty for every active event.</summary>
    /// <value>Event slugs. Default: none (all, up to <see cref="MaxMarkets"/>).</value>
    public List<string> EventSlugs { get; set; } = [];

    /// <summary>Only events carrying one of these Gamma tag ids are discovered (e.g. <c>2</c> for Politics); ignored when <see cref="EventSlugs"/> is set.</summary>
    /// <value>Numeric tag ids. Default: none (all).</value>
    public List<int> TagIds { get; set; } = [];

    /// <summary>Standalone markets to discover as well, by Gamma market slug (read from <c>/markets</c>).</summary>
    /// <value>Market slugs. Default: none.</value>
    public List<string> MarketSlugs { get; set; } = [];

    /// <summary>The most markets discovered and streamed (Gamma lists thousands; each costs two books).</summary>
    /// <value>1–10,000, default 500.</value>
    [Range(1, 10_000, ErrorMessage = "ArbBot:Polymarket:MaxMarkets must be between {1} and {2}.")]
    public int MaxMarkets { get; set; } = 500;

    /// <summary>Events per Gamma page.</summary>
    /// <value>1–500, default 100.</value>
    [Range(1, 500, ErrorMessage = "ArbBot:Polymarket:PageSize must be between {1} and {2}.")]
    public int PageSize { get; set; } = 100;

    /// <summary>Instruments (tokens; two per market) per WebSocket connection; more are spread over further connections.</summary>
    /// <value>2–500, default 500 (the venue's documented per-connection limit).</value>
    [Range(2, 500, ErrorMessage = "ArbBot:Polymarket:ShardSize must be between {1} and {2}.")]
    public int ShardSize { get; set; } = 500;

    /// <summary>REST requests per second the client allows itself.</summary>
    /// <value>1–500, default 20.</value>
    [Range(1, 500, ErrorMessage = "ArbBot:Polymarket:RequestsPerSecond must be between {1} and {2}.")]
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Retries of a REST request answered with 429 or a 5xx before giving up.</summary>
    /// <value>0–10, default 4.</value>
    [Range(0, 10, ErrorMessage = "ArbBot:Polymarket:MaxRetries must be between {1} and {2}.")]
    public int MaxRetries { get; set; } = 4;

    /// <summary>
    /// How long one REST request may take before it is abandoned and retried (every call of this client is a read, so
    /// repeating it is harmless). Without it a venue that takes a request and never answers would hold discovery or a
    /// book resync until the HTTP client's own timeout, then fail it outright.
    /// </summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Polymarket:ReadTimeout must be between {1} and {2}.")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retry or reconnect delay bound; doubles per attempt, with jitter.</summary>
    /// <value>00:00:00.001 to 00:01:00, default 00:00:00.500.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "ArbBot:Polymarket:RetryBaseDelay must be between {1} and {2}.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest retry or reconnect delay.</summary>
    /// <value>00:00:00.010 to 00:10:00, default 00:01:00.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "ArbBot:Polymarket:RetryMaxDelay must be between {1} and {2}.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each connection sends the text <c>PING</c> keep-alive the venue expects.</summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Polymarket:PingInterval must be between {1} and {2}.")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Freeze watchdog: after this long without book data on a connection (PONGs do not count), its books are checked
    /// against REST; if the venue moved and the socket did not say so, the books are marked stale and the connection rebuilt.
    /// </summary>
    /// <value>00:00:00.100 to 00:10:00, default 00:00:15.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "ArbBot:Polymarket:FreezeTimeout must be between {1} and {2}.")]
    public TimeSpan FreezeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A price change the venue stamped longer ago than this is old news: applied, but the book is marked stale until a current one.</summary>
    /// <value>00:00:00.100 to 00:01:00, default 00:00:05.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "ArbBot:Polymarket:MaxMessageAge must be between {1} and {2}.")]
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the feed confirms, while a connection is healthy, that its quiet books are still current.</summary>
    /// <value>00:00:00.050 to 00:00:30, default 00:00:01.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30", ErrorMessage = "ArbBot:Polymarket:HeartbeatInterval must be between {1} and {2}.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, url, schemes) in new[]
        {
            (nameof(GammaUrl), GammaUrl, new[] { "http", "https" }),
            (nameof(ClobUrl), ClobUrl, ["http", "https"]),
            (nameof(MarketWebSocketUrl), MarketWebSocketUrl, ["ws", "wss"]),
        })
        {
            if (url is null || !url.IsAbsoluteUri || !schemes.Contains(url.Scheme))
            {
                yield return new ValidationResult($"{Section}:{name} must be an absolute {string.Join(" or ", schemes)} URL (was '{url}').", [name]);
            }
        }
        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult($"{Section}:RetryMaxDelay ({RetryMaxDelay}) must not be shorter than RetryBaseDelay ({RetryBaseDelay}).", [nameof(RetryMaxDelay)]);
        }
        if (EventSlugs.Any(string.IsNullOrWhiteSpace) || MarketSlugs.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult($"{Section}:EventSlugs and MarketSlugs may not hold empty entries.", [nameof(EventSlugs)]);
        }
        if (TagIds.Any(t => t <= 0))
        {
            yield return new ValidationResult($"{Section}:TagIds must be positive Gamma tag ids.", [nameof(TagIds)]);
        }
    }
}
