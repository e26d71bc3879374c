using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Polymarket's real public market data as a venue: Gamma discovery, CLOB fee terms and books over REST, live books
/// over the market WebSocket, Polymarket's V2 fee model. No credentials are needed; orders are not sent from here —
/// execution goes through the desk's gateway (paper).
/// </summary>
public sealed class PolymarketVenue : IVenue, IDisposable
{
    private readonly HttpClient _http;

    /// <param name="options">Hosts, discovery scope, shard size, keep-alive and watchdog settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">Where problems are reported.</param>
    /// <param name="handler">The HTTP handler (tests, proxies); a new socket handler by default.</param>
    public PolymarketVenue(PolymarketOptions options, TimeProvider time, ILoggerFactory? loggers = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Options = options;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) }
            : new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        Rest = new PolymarketRestClient(_http, options, time, loggers?.CreateLogger<PolymarketRestClient>());
        MarketData = new PolymarketMarketDataFeed(options, Rest, time, loggers?.CreateLogger<PolymarketMarketDataFeed>());
        Instruments = new PolymarketInstrumentProvider(Rest, options, MarketData, loggers?.CreateLogger<PolymarketInstrumentProvider>());
    }

    public VenueId Id => VenueId.Polymarket;

    public DataSource Source => DataSource.Real;

    public string DisplayName => "Polymarket";

    public IFeeModel FeeModel { get; } = new PolymarketFeeModel();

    public PolymarketOptions Options { get; }

    public PolymarketRestClient Rest { get; }

    public PolymarketInstrumentProvider Instruments { get; }

    public PolymarketMarketDataFeed MarketData { get; }

    IInstrumentProvider IVenue.Instruments => Instruments;

    IMarketDataFeed IVenue.MarketData => MarketData;

    /// <summary>A token's book over REST (GET /book?token_id=).</summary>
    /// <exception cref="PolymarketApiException">The venue refused, or answered with a body that is not a book.</exception>
    public async Task<PolymarketBookMessage> GetOrderBookAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        var body = await Rest.ClobAsync("/book", [new("token_id", tokenId)], cancellationToken).ConfigureAwait(false);
        var parsed = PolymarketParser.ParseRestBook(body);
        return parsed.IsSuccess ? (PolymarketBookMessage)parsed.Messages[0] : throw new PolymarketApiException(System.Net.HttpStatusCode.OK, $"Polymarket GET /book: {parsed.Error}");
    }

    public void Dispose() => _http.Dispose();
}
