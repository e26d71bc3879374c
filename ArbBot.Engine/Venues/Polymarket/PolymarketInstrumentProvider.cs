using System.Globalization;
using System.Net;
using ArbBot.Engine.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Discovers Polymarket's active events and their markets from the Gamma API (GET /events, offset-paged, with the
/// configured slug or tag filters; GET /markets for standalone market slugs), reads each fee-charging market's V2
/// fee terms from the CLOB (GET /clob-markets/{condition id}), and registers every trading market with its first
/// outcome's token as YES and the second's as NO. Neg-risk events are registered as mutually exclusive; augmented
/// ones (outcomes may still be added) are flagged so multi-outcome arbitrage leaves them alone. Markets that cannot be
/// read or priced are skipped with a warning, never guessed at.
/// </summary>
public sealed class PolymarketInstrumentProvider : IInstrumentProvider
{
    private readonly PolymarketRestClient _rest;
    private readonly PolymarketOptions _options;
    private readonly PolymarketMarketDataFeed _feed;
    private readonly ILogger _logger;

    public PolymarketInstrumentProvider(PolymarketRestClient rest, PolymarketOptions options, PolymarketMarketDataFeed feed, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(feed);
        _rest = rest;
        _options = options;
        _feed = feed;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gamma pages read by the last discovery.</summary>
    public int PagesRead { get; private set; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Market>> DiscoverAsync(InstrumentRegistry registry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        PagesRead = 0;
        var events = new List<PolymarketEventListing>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var marketCount = 0;
        List<KeyValuePair<string, string?>>[] scopes = _options.EventSlugs.Count > 0
            ? [.. _options.EventSlugs.Select(s => new List<KeyValuePair<string, string?>> { new("slug", s) })]
            : _options.TagIds.Count > 0
                ? [.. _options.TagIds.Select(t => new List<KeyValuePair<string, string?>> { new("tag_id", t.ToString(CultureInfo.InvariantCulture)) })]
                : [[]];
        foreach (var scope in scopes)
        {
            // Gamma pages by offset and may serve fewer than asked (it caps the limit): advance by what came, stop at an empty page.
            for (var offset = 0; marketCount < _options.MaxMarkets;)
            {
                List<KeyValuePair<string, string?>> query =
                [
                    .. scope,
                    new("active", "true"),
                    new("closed", "false"),
                    new("limit", _options.PageSize.ToString(CultureInfo.InvariantCulture)),
                    new("offset", offset.ToString(CultureInfo.InvariantCulture)),
                ];
                var body = await _rest.GammaAsync("/events", query, cancellationToken).ConfigureAwait(false);
                PagesRead++;
                var page = PolymarketCatalogParser.ParseEventsPage(body);
                if (!page.IsSuccess) throw new PolymarketApiException(HttpStatusCode.OK, page.Error!);
                foreach (var rejected in page.Value!.Rejected) _logger.LogWarning("Polymarket discovery skipped {Market}", rejected);
                foreach (var e in page.Value.Events.Where(e => seen.Add(e.Slug)))
                {
                    events.Add(e);
                    marketCount += e.Markets.Count(m => m.IsTrading);
                }
                if (page.Value.RawCount == 0) break;
                offset += page.Value.RawCount;
            }
        }
        var standalone = await StandaloneMarketsAsync(seen, cancellationToken).ConfigureAwait(false);
        events.AddRange(standalone);

        var registered = new List<Market>();
        foreach (var e in events)
        {
            var addedEvent = false;
            foreach (var listing in e.Markets)
            {
                if (registered.Count >= _options.MaxMarkets) break;
                if (!listing.IsTrading) continue;
                var terms = await TermsAsync(listing, cancellationToken).ConfigureAwait(false);
                if (terms.Fees is not { } fees) continue;
                if (!addedEvent)
                {
                    // Neg-risk: exactly one market of the event resolves YES — unless augmented, where outcomes may still be added.
                    registry.AddEvent(new VenueEvent(VenueId.Polymarket, e.Slug, e.Title, e.Category, MutuallyExclusive: e.NegRisk && !e.Augmented, e.NegRisk, e.Augmented));
                    addedEvent = true;
                }
                var tick = terms.TickSize ?? listing.TickSize;
                var minSize = Math.Max(terms.MinOrderSize ?? listing.MinOrderSize, 0.01m);
                var label = e.NegRisk && listing.GroupItemTitle.Length > 0 ? listing.GroupItemTitle : listing.Outcomes[0];
                var market = new Market(
                    VenueId.Polymarket,
                    listing.ConditionId,
                    e.Slug,
                    listing.Question,
                    listing.Description,
                    listing.ResolutionSource,
                    listing.EndDate,
                    tick,
                    MinOrderSize: minSize,
                    label,
                    fees,
                    QuantityStep: 0.01m);
                registered.Add(registry.AddMarket(market, listing.YesToken, listing.NoToken));
            }
        }
        _logger.LogInformation("Polymarket discovery: {Markets} markets in {Events} events from {Pages} Gamma pages", registered.Count, events.Count, PagesRead);
        _feed.Attach(registry, registered);
        return registered;
    }

    /// <summary>Markets named by slug in the options, read from Gamma GET /markets, grouped by the event Gamma lists them under.</summary>
    private async Task<List<PolymarketEventListing>> StandaloneMarketsAsync(HashSet<string> seenEvents, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (PolymarketEventListing Event, List<PolymarketMarketListing> Markets)>(StringComparer.Ordinal);
        foreach (var slug in _options.MarketSlugs)
        {
            var body = await _rest.GammaAsync("/markets", [new("slug", slug), new("limit", "1"), new("offset", "0")], cancellationToken).ConfigureAwait(false);
            PagesRead++;
            var page = PolymarketCatalogParser.ParseMarketsPage(body);
            if (!page.IsSuccess) throw new PolymarketApiException(HttpStatusCode.OK, page.Error!);
            foreach (var rejected in page.Value!.Rejected) _logger.LogWarning("Polymarket discovery skipped {Market}", rejected);
            if (page.Value.Markets.Count == 0) _logger.LogWarning("Polymarket discovery: no market with slug {Slug}", slug);
            foreach (var (market, parent) in page.Value.Markets)
            {
                // A market of its own is its own event, named after its question.
                var e = parent ?? new PolymarketEventListing(market.Slug, market.Slug, market.Question, "", market.NegRisk, false, []);
                if (seenEvents.Contains(e.Slug)) continue;
                if (!result.TryGetValue(e.Slug, out var entry)) result[e.Slug] = entry = (e, []);
                entry.Markets.Add(market with { EventSlug = e.Slug });
            }
        }
        return [.. result.Values.Select(v => v.Event with { Markets = v.Markets })];
    }

    /// <summary>The market's CLOB terms; a market with fees enabled whose terms cannot be read gets no fee terms (and is skipped).</summary>
    private async Task<(FeeParameters? Fees, TickSize? TickSize, decimal? MinOrderSize)> TermsAsync(PolymarketMarketListing listing, CancellationToken cancellationToken)
    {
        if (!listing.FeesEnabled) return (FeeParameters.None, null, null);
        try
        {
            var body = await _rest.ClobAsync($"/clob-markets/{Uri.EscapeDataString(listing.ConditionId)}", null, cancellationToken).ConfigureAwait(false);
            var parsed = PolymarketCatalogParser.ParseClobMarket(body);
            if (parsed.IsSuccess) return (parsed.Value!.Fees, parsed.Value.TickSize, parsed.Value.MinOrderSize);
            _logger.LogWarning("Polymarket discovery skipped {Market}: its fee terms could not be read ({Reason})", listing.Slug, parsed.Error);
        }
        catch (PolymarketApiException e)
        {
            _logger.LogWarning("Polymarket discovery skipped {Market}: its fee terms could not be fetched ({Reason})", listing.Slug, e.Message);
        }
        return (null, null, null);
    }
}
