using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Hosting;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>Which Kalshi environment to talk to. Keys are per environment: a demo key does not work in production.</summary>
public enum KalshiEnvironment
{
    /// <summary>The demo exchange (play money).</summary>
    Demo,
    /// <summary>The real exchange.</summary>
    Production,
}

/// <summary>
/// Connection to the real Kalshi trade API v2 (section <c>ArbBot:Kalshi</c>), used when
/// <c>ArbBot:Venues:Kalshi:Source</c> is <c>Real</c>. The private key is read once into the signer and never logged.
/// </summary>
public sealed class KalshiOptions : IValidatableObject
{
    public const string Section = "ArbBot:Kalshi";

    /// <summary>The exchange to use.</summary>
    /// <value><c>Demo</c> (default) or <c>Production</c>; chooses the hosts unless the URLs below are set.</value>
    public KalshiEnvironment Environment { get; set; } = KalshiEnvironment.Demo;

    /// <summary>The API key id (KALSHI-ACCESS-KEY); an identifier, not a secret.</summary>
    /// <value>The id Kalshi shows next to the key. Required for Source Real. Default: none.</value>
    public string? KeyId { get; set; }

    /// <summary>The RSA private key as PEM text (PKCS#1 or PKCS#8), typically from the environment variable <c>ArbBot__Kalshi__PrivateKeyPem</c>.</summary>
    /// <value>Either this or <see cref="PrivateKeyPath"/>. Default: none.</value>
    [Secret]
    public string? PrivateKeyPem { get; set; }

    /// <summary>A file holding the PEM private key; it must be readable by its owner only (chmod 600).</summary>
    /// <value>Either this or <see cref="PrivateKeyPem"/>. Default: none.</value>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Overrides the REST root (for a proxy or a test server).</summary>
    /// <value>An absolute http(s) URL ending in <c>/trade-api/v2</c>. Default: the environment's host.</value>
    public Uri? RestBaseUrl { get; set; }

    /// <summary>Overrides the WebSocket URL.</summary>
    /// <value>An absolute ws(s) URL ending in <c>/trade-api/ws/v2</c>. Default: the environment's host.</value>
    public Uri? WebSocketUrl { get; set; }

    /// <summary>Read requests per second the client allows itself (Kalshi Basic tier: 20).</summary>
    /// <value>1–400, default 10 (half the Basic tier, leaving room for other tools on the same key).</value>
    [Range(1, 400, ErrorMessage = "ArbBot:Kalshi:ReadsPerSecond must be between {1} and {2}.")]
    public int ReadsPerSecond { get; set; } = 10;

    /// <summary>Write requests (orders, cancels, amends) per second the client allows itself (Kalshi Basic tier: 10).</summary>
    /// <value>1–400, default 5.</value>
    [Range(1, 400, ErrorMessage = "ArbBot:Kalshi:WritesPerSecond must be between {1} and {2}.")]
    public int WritesPerSecond { get; set; } = 5;

    /// <summary>Retries of a request the venue answered with 429 (or a 5xx on a read) before giving up.</summary>
    /// <value>0–10, default 4.</value>
    [Range(0, 10, ErrorMessage = "ArbBot:Kalshi:MaxRetries must be between {1} and {2}.")]
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry or reconnect delay bound; doubles per attempt, with jitter.</summary>
    /// <value>00:00:00.001 to 00:01:00, default 00:00:00.500.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "ArbBot:Kalshi:RetryBaseDelay must be between {1} and {2}.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest retry or reconnect delay.</summary>
    /// <value>00:00:00.010 to 00:10:00, default 00:00:30.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "ArbBot:Kalshi:RetryMaxDelay must be between {1} and {2}.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Only markets of these series are discovered (e.g. <c>KXFED</c>); empty for every open event, up to <see cref="MaxMarkets"/>.</summary>
    /// <value>Series tickers. Default: none (all).</value>
    public List<string> SeriesTickers { get; set; } = [];

    /// <summary>The most markets discovered and streamed (Kalshi lists thousands; each streamed book costs memory and bandwidth).</summary>
    /// <value>1–5,000, default 500.</value>
    [Range(1, 5000, ErrorMessage = "ArbBot:Kalshi:MaxMarkets must be between {1} and {2}.")]
    public int MaxMarkets { get; set; } = 500;

    /// <summary>A book delta the venue stamped longer ago than this is old news: the book is applied but marked stale.</summary>
    /// <value>00:00:00.100 to 00:01:00, default 00:00:03.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "ArbBot:Kalshi:MaxMessageAge must be between {1} and {2}.")]
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the feed confirms, while its connection is healthy, that quiet books are still current.</summary>
    /// <value>00:00:00.050 to 00:00:30, default 00:00:01.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30", ErrorMessage = "ArbBot:Kalshi:HeartbeatInterval must be between {1} and {2}.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A read (GET) not answered this long is abandoned and retried like a 5xx (writes keep the HTTP client's timeout: a retried write could trade twice).</summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Kalshi:ReadTimeout must be between {1} and {2}.")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often our WebSocket pings Kalshi; with <see cref="KeepAliveTimeout"/> it notices a half-open connection.</summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Kalshi:KeepAliveInterval must be between {1} and {2}.")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A ping unanswered this long means the peer is gone without closing: the connection is dropped and reopened.</summary>
    /// <value>00:00:00.100 to 00:02:00, default 00:00:20.</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00", ErrorMessage = "ArbBot:Kalshi:KeepAliveTimeout must be between {1} and {2}.")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The URLs, when set, have the scheme their connection speaks; the series tickers hold no empty entries.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RestBaseUrl is not null && !(RestBaseUrl.IsAbsoluteUri && RestBaseUrl.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"{Section}:RestBaseUrl must be an absolute http or https URL (was '{RestBaseUrl}').", [nameof(RestBaseUrl)]);
        }
        if (WebSocketUrl is not null && !(WebSocketUrl.IsAbsoluteUri && WebSocketUrl.Scheme is "ws" or "wss"))
        {
            yield return new ValidationResult($"{Section}:WebSocketUrl must be an absolute ws or wss URL (was '{WebSocketUrl}').", [nameof(WebSocketUrl)]);
        }
        if (SeriesTickers.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult($"{Section}:SeriesTickers may not hold empty entries.", [nameof(SeriesTickers)]);
        }
        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult($"{Section}:RetryMaxDelay ({RetryMaxDelay}) must not be shorter than RetryBaseDelay ({RetryBaseDelay}).", [nameof(RetryMaxDelay)]);
        }
    }

    /// <summary>The REST root in use.</summary>
    public Uri EffectiveRestBaseUrl => RestBaseUrl ?? (Environment == KalshiEnvironment.Production
        ? new Uri("https://external-api.kalshi.com/trade-api/v2")
        : new Uri("https://external-api.demo.kalshi.co/trade-api/v2"));

    /// <summary>The WebSocket URL in use.</summary>
    public Uri EffectiveWebSocketUrl => WebSocketUrl ?? (Environment == KalshiEnvironment.Production
        ? new Uri("wss://external-api-ws.kalshi.com/trade-api/ws/v2")
        : new Uri("wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"));

    /// <summary>True when a key id and exactly one key source are set.</summary>
    public bool HasCredentials =>
        !string.IsNullOrWhiteSpace(KeyId) && (string.IsNullOrWhiteSpace(PrivateKeyPem) != string.IsNullOrWhiteSpace(PrivateKeyPath));

    /// <summary>Loads the signer from the configured key.</summary>
    /// <exception cref="KalshiKeyException">No credentials, or the key cannot be used (message names the problem, never the key).</exception>
    public KalshiRequestSigner CreateSigner(TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(KeyId))
        {
            throw new KalshiKeyException($"{Section}:KeyId is not set; Kalshi's real API needs an API key id.");
        }
        var hasPem = !string.IsNullOrWhiteSpace(PrivateKeyPem);
        var hasPath = !string.IsNullOrWhiteSpace(PrivateKeyPath);
        if (hasPem == hasPath)
        {
            throw new KalshiKeyException(hasPem
                ? $"Set only one of {Section}:PrivateKeyPem and {Section}:PrivateKeyPath."
                : $"Set {Section}:PrivateKeyPem (e.g. environment variable ArbBot__Kalshi__PrivateKeyPem) or {Section}:PrivateKeyPath.");
        }
        return hasPem
            ? KalshiRequestSigner.FromPem(KeyId, PrivateKeyPem!, time)
            : KalshiRequestSigner.FromPemFile(KeyId, PrivateKeyPath!, time);
    }

    /// <summary>Never shows the private key.</summary>
    public override string ToString() =>
        $"KalshiOptions(Environment={Environment}, KeyId={KeyId}, PrivateKey={(PrivateKeyPem is null ? PrivateKeyPath is null ? "none" : "file" : "set")})";
}
