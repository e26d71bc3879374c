using System.Net;
using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Discovers Kalshi's open events and their markets over REST (GET /events with nested markets, following the cursor;
/// GET /series/{ticker} once per series for fee terms and settlement sources) and registers every trading market as
/// "TICKER:yes" / "TICKER:no". Markets that cannot be read or priced are skipped with a warning, never guessed at.
/// </summary>
public sealed class KalshiInstrumentProvider : IInstrumentProvider
{
    private const int PageSize = 200;

    private readonly KalshiRestClient _rest;
    private readonly KalshiOptions _options;
    private readonly KalshiMarketDataFeed _feed;
    private readonly ILogger _logger;
    private readonly Dictionary<string, KalshiSeriesTerms?> _series = new(StringComparer.Ordinal);

    public KalshiInstrumentProvider(KalshiRestClient rest, KalshiOptions options, KalshiMarketDataFeed feed, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(feed);
        _rest = rest;
        _options = options;
        _feed = feed;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Market>> DiscoverAsync(InstrumentRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var events = new List<KalshiEventListing>();
        var marketCount = 0;
        var scopes = _options.SeriesTickers.Count > 0 ? _options.SeriesTickers.Select(s => (string?)s).ToList() : [null];
        foreach (var series in scopes)
        {
            List<KeyValuePair<string, string?>> query =
            [
                new("status", "open"),
                new("with_nested_markets", "true"),
                new("limit", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("series_ticker", series),
            ];
            await _rest.PageAsync("/events", query, body =>
            {
                var page = KalshiCatalogParser.ParseEventsPage(body);
                if (!page.IsSuccess) throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", page.Error!);
                foreach (var rejected in page.Value!.Rejected) _logger.LogWarning("Kalshi discovery skipped {Market}", rejected);
                events.AddRange(page.Value.Events);
                marketCount += page.Value.Events.Sum(e => e.Markets.Count);
                // Enough markets: stop paging rather than read the whole exchange.
                return marketCount >= _options.MaxMarkets ? null : page.Value.Cursor;
            }, cancellationToken).ConfigureAwait(false);
        }

        var registered = new List<Market>();
        foreach (var e in events)
        {
            var terms = await SeriesAsync(e.SeriesTicker, cancellationToken).ConfigureAwait(false);
            var category = terms?.Category is { Length: > 0 } c ? c : e.Category;
            var addedEvent = false;
            foreach (var listing in e.Markets)
            {
                if (registered.Count >= _options.MaxMarkets) break;
                if (!listing.IsTrading) continue;
                if (terms?.Fees is not { } fees)
                {
                    _logger.LogWarning("Kalshi discovery skipped {Market}: series {Series} has fee type '{FeeType}', which this desk cannot price",
                        listing.Ticker, e.SeriesTicker, terms?.FeeType ?? "unknown");
                    continue;
                }
                if (!addedEvent)
                {
                    registry.AddEvent(new VenueEvent(VenueId.Kalshi, e.EventTicker, e.Title, category, e.MutuallyExclusive, NegRisk: false, Augmented: false));
                    addedEvent = true;
                }
                var step = listing.FractionalTrading ? 0.01m : 1m;
                var market = new Market(
                    VenueId.Kalshi,
                    listing.Ticker,
                    listing.EventTicker,
                    listing.Title,
                    listing.Rules,
                    string.Join(", ", terms.SettlementSources),
                    listing.CloseTime,
                    listing.TickSize,
                    MinOrderSize: step,
                    listing.OutcomeLabel,
                    fees,
                    QuantityStep: step);
                registered.Add(registry.AddMarket(market, listing.YesSymbol, listing.NoSymbol));
            }
        }
        _feed.Attach(registered);
        return registered;
    }

    /// <summary>The series' terms, fetched once; null when the venue does not know the series.</summary>
    private async Task<KalshiSeriesTerms?> SeriesAsync(string ticker, CancellationToken cancellationToken)
    {
        if (ticker.Length == 0) return null;
        if (_series.TryGetValue(ticker, out var known)) return known;
        KalshiSeriesTerms? terms;
        try
        {
            var body = await _rest.GetStringAsync($"/series/{Uri.EscapeDataString(ticker)}", null, cancellationToken).ConfigureAwait(false);
            var parsed = KalshiCatalogParser.ParseSeries(body);
            if (!parsed.IsSuccess) throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", parsed.Error!);
            terms = parsed.Value;
        }
        catch (KalshiApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            terms = null;
        }
        _series[ticker] = terms;
        return terms;
    }
}
