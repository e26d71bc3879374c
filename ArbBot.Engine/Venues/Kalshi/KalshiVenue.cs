using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Kalshi's real trade API v2 as a venue: REST discovery and order books, live books over the WebSocket, Kalshi's fee
/// model. Orders are not sent from here; execution goes through the desk's gateway (paper by default).
/// </summary>
public sealed class KalshiVenue : IVenue, IDisposable
{
    private readonly HttpClient _http;
    private readonly KalshiRequestSigner? _signer;

    /// <summary>Creates the venue from its options, loading the signer from the configured key.</summary>
    /// <exception cref="KalshiKeyException">The key is missing or unusable.</exception>
    public static KalshiVenue Create(KalshiOptions options, TimeProvider time, ILoggerFactory? loggers = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var signer = options.CreateSigner(time);
        return new KalshiVenue(options, signer, time, loggers, handler);
    }

    /// <param name="options">Hosts, limits, discovery scope.</param>
    /// <param name="signer">Signs requests and the WebSocket handshake; owned and disposed by the venue.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">Where problems are reported.</param>
    /// <param name="handler">The HTTP handler (tests, proxies); a new socket handler by default.</param>
    public KalshiVenue(KalshiOptions options, KalshiRequestSigner? signer, TimeProvider time, ILoggerFactory? loggers = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Options = options;
        _signer = signer;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) }
            : new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        Rest = new KalshiRestClient(_http, options, signer, time, loggers?.CreateLogger<KalshiRestClient>());
        MarketData = new KalshiMarketDataFeed(options, signer, time, loggers?.CreateLogger<KalshiMarketDataFeed>());
        Instruments = new KalshiInstrumentProvider(Rest, options, MarketData, loggers?.CreateLogger<KalshiInstrumentProvider>());
    }

    public VenueId Id => VenueId.Kalshi;

    public DataSource Source => DataSource.Real;

    public string DisplayName => Options.Environment == KalshiEnvironment.Production ? "Kalshi" : "Kalshi (demo)";

    public IFeeModel FeeModel { get; } = new KalshiFeeModel();

    public KalshiOptions Options { get; }

    public KalshiRestClient Rest { get; }

    /// <summary>The request signer (null for unauthenticated reads); it never exposes its key.</summary>
    public KalshiRequestSigner? Signer => _signer;

    public KalshiInstrumentProvider Instruments { get; }

    public KalshiMarketDataFeed MarketData { get; }

    IInstrumentProvider IVenue.Instruments => Instruments;

    IMarketDataFeed IVenue.MarketData => MarketData;

    /// <summary>A market's book over REST (GET /markets/{ticker}/orderbook): YES and NO bids, asks derived from the other side.</summary>
    /// <param name="ticker">The market ticker.</param>
    /// <param name="depth">Levels per side, 0 for all (Kalshi allows up to 100).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="KalshiApiException">The venue refused, or answered with a body that is not an order book.</exception>
    public async Task<KalshiBook> GetOrderBookAsync(string ticker, int depth, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ticker);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, 100);
        var body = await Rest.GetStringAsync($"/markets/{Uri.EscapeDataString(ticker)}/orderbook",
            depth == 0 ? null : [new("depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false);
        var parsed = KalshiParser.ParseRestOrderbook(body);
        return parsed.Value ?? throw new KalshiApiException(System.Net.HttpStatusCode.OK, "invalid_body", parsed.Error!);
    }

    public void Dispose()
    {
        _http.Dispose();
        _signer?.Dispose();
    }
}
