using System.Globalization;
using System.Text.Json;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi.Wire;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>A Kalshi series' terms: what its markets charge and who settles them.</summary>
public sealed record KalshiSeriesTerms(string Ticker, string Title, string Category, string FeeType, decimal FeeMultiplier, IReadOnlyList<string> SettlementSources)
{
    /// <summary>The fee terms of the series' markets, or null for a fee type whose charge is not documented (<c>flat</c>).</summary>
    public FeeParameters? Fees => FeeType switch
    {
        "quadratic" or "quadratic_with_maker_fees" => KalshiFeeModel.ParametersFor(FeeType, FeeMultiplier),
        _ => null,
    };
}

/// <summary>One market as discovery reads it, before registration.</summary>
public sealed record KalshiMarketListing(
    string Ticker,
    string EventTicker,
    string Title,
    string OutcomeLabel,
    string Status,
    DateTimeOffset CloseTime,
    DateTimeOffset? ExpirationTime,
    string Rules,
    TickSize TickSize,
    IReadOnlyList<KalshiPriceRange> PriceRanges,
    bool FractionalTrading)
{
    /// <summary>Kalshi's symbol for the YES contract, as the registry knows it.</summary>
    public string YesSymbol => KalshiSymbols.Yes(Ticker);

    /// <summary>Kalshi's symbol for the NO contract.</summary>
    public string NoSymbol => KalshiSymbols.No(Ticker);

    /// <summary>True when the market takes orders now (status <c>active</c>, or legacy <c>open</c>).</summary>
    public bool IsTrading => Status is "active" or "open";
}

/// <summary>One band of a market's price grid.</summary>
public readonly record struct KalshiPriceRange(Price Start, Price End, TickSize Step);

/// <summary>An event with the markets listed under it.</summary>
public sealed record KalshiEventListing(string EventTicker, string SeriesTicker, string Title, string Category, bool MutuallyExclusive, IReadOnlyList<KalshiMarketListing> Markets);

/// <summary>A page of events, the markets that could not be read (with the reason) and the cursor to the next page.</summary>
public sealed record KalshiEventsPage(IReadOnlyList<KalshiEventListing> Events, IReadOnlyList<string> Rejected, string? Cursor);

/// <summary>How the registry names Kalshi contracts: "TICKER:yes" and "TICKER:no".</summary>
public static class KalshiSymbols
{
    public static string Yes(string ticker) => ticker + ":yes";

    public static string No(string ticker) => ticker + ":no";
}

/// <summary>
/// Reads Kalshi's catalog (series, events with nested markets) in the current fixed-point shape and the legacy one
/// (integer-cent <c>tick_size</c>, status <c>open</c>). A market that cannot be read is rejected with a reason and the
/// rest of the page is kept; a page that is not JSON at all is a failed result. Never throws on bad input.
/// </summary>
public static class KalshiCatalogParser
{
    /// <summary>Parses the body of GET /events (with_nested_markets=true).</summary>
    public static KalshiParseResult<KalshiEventsPage> ParseEventsPage(string json)
    {
        KalshiWireEventsPage? wire;
        try
        {
            wire = JsonSerializer.Deserialize<KalshiWireEventsPage>(json, KalshiParser.WireOptions);
        }
        catch (JsonException e)
        {
            return KalshiParseResult<KalshiEventsPage>.Fail($"Kalshi events page: invalid JSON ({e.Message})");
        }
        if (wire?.Events is null) return KalshiParseResult<KalshiEventsPage>.Fail("Kalshi events page: 'events' is missing");
        var events = new List<KalshiEventListing>();
        var rejected = new List<string>();
        foreach (var e in wire.Events)
        {
            if (string.IsNullOrEmpty(e.EventTicker))
            {
                rejected.Add("an event without 'event_ticker'");
                continue;
            }
            var markets = new List<KalshiMarketListing>();
            foreach (var m in e.Markets ?? [])
            {
                if (TryReadMarket(m, e, out var listing, out var reason)) markets.Add(listing);
                else rejected.Add(reason);
            }
            events.Add(new KalshiEventListing(
                e.EventTicker,
                e.SeriesTicker ?? "",
                e.Title ?? e.EventTicker,
                e.Category ?? "",
                e.MutuallyExclusive ?? false,
                markets));
        }
        return KalshiParseResult<KalshiEventsPage>.Ok(new KalshiEventsPage(events, rejected, string.IsNullOrEmpty(wire.Cursor) ? null : wire.Cursor));
    }

    /// <summary>Parses the body of GET /series/{ticker}.</summary>
    public static KalshiParseResult<KalshiSeriesTerms> ParseSeries(string json)
    {
        try
        {
            var s = JsonSerializer.Deserialize<KalshiWireSeriesResponse>(json, KalshiParser.WireOptions)?.Series;
            if (s is null || string.IsNullOrEmpty(s.Ticker)) return KalshiParseResult<KalshiSeriesTerms>.Fail("Kalshi series: 'series.ticker' is missing");
            decimal multiplier = 1m;
            if (s.FeeMultiplier is { } fm)
            {
                var ok = fm.ValueKind switch
                {
                    JsonValueKind.Number => fm.TryGetDecimal(out multiplier),
                    JsonValueKind.String => decimal.TryParse(fm.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out multiplier),
                    JsonValueKind.Null => (multiplier = 1m) == 1m,
                    _ => false,
                };
                if (!ok || multiplier < 0m) return KalshiParseResult<KalshiSeriesTerms>.Fail($"Kalshi series {s.Ticker}: 'fee_multiplier' is not a non-negative number");
            }
            var sources = (s.SettlementSources ?? []).Select(x => x.Name ?? x.Url ?? "").Where(x => x.Length > 0).ToList();
            return KalshiParseResult<KalshiSeriesTerms>.Ok(new KalshiSeriesTerms(s.Ticker, s.Title ?? s.Ticker, s.Category ?? "", s.FeeType ?? "quadratic", multiplier, sources));
        }
        catch (JsonException e)
        {
            return KalshiParseResult<KalshiSeriesTerms>.Fail($"Kalshi series: invalid JSON ({e.Message})");
        }
    }

    private static bool TryReadMarket(KalshiWireMarket m, KalshiWireEvent e, out KalshiMarketListing listing, out string reason)
    {
        listing = null!;
        var ticker = m.Ticker;
        if (string.IsNullOrEmpty(ticker))
        {
            reason = $"a market of event {e.EventTicker} without 'ticker'";
            return false;
        }
        if (!TryTime(m.CloseTime, out var close))
        {
            reason = $"market {ticker}: 'close_time' is missing or not an ISO time";
            return false;
        }
        DateTimeOffset? expiration = TryTime(m.LatestExpirationTime ?? m.ExpirationTime, out var exp) ? exp : null;
        if (!TryRanges(m.PriceRanges, out var ranges))
        {
            reason = $"market {ticker}: 'price_ranges' holds a band that is not on the 0.0001 grid";
            return false;
        }
        if (!TryTick(m, ranges, out var tick))
        {
            reason = $"market {ticker}: unknown price level structure '{m.PriceLevelStructure}'";
            return false;
        }
        var label = string.IsNullOrWhiteSpace(m.YesSubTitle) ? "Yes" : m.YesSubTitle;
        // 'title' is deprecated on markets; the event's title with the YES label says the same thing.
        var title = !string.IsNullOrWhiteSpace(m.Title) && m.Title != "(deprecated field)" ? m.Title
            : string.IsNullOrWhiteSpace(m.YesSubTitle) ? e.Title ?? ticker
            : $"{e.Title ?? e.EventTicker}: {m.YesSubTitle}";
        var rules = string.Join("\n\n", new[] { m.RulesPrimary, m.RulesSecondary }.Where(r => !string.IsNullOrWhiteSpace(r)));
        listing = new KalshiMarketListing(
            ticker,
            m.EventTicker ?? e.EventTicker!,
            title,
            label,
            m.Status ?? "",
            close,
            expiration,
            rules,
            tick,
            ranges,
            m.FractionalTradingEnabled ?? false);
        reason = "";
        return true;
    }

    // The finest step the market allows: every price the venue quotes is then on the registry's grid. Tapered markets
    // (0.001 near the edges, 0.01 in the middle) report 0.001; their bands say where each step applies.
    private static bool TryTick(KalshiWireMarket m, IReadOnlyList<KalshiPriceRange> ranges, out TickSize tick)
    {
        if (ranges.Count > 0)
        {
            tick = ranges.MinBy(r => r.Step.Units).Step;
            return true;
        }
        switch (m.PriceLevelStructure)
        {
            case "linear_cent":
                tick = TickSize.Cent;
                return true;
            case "deci_cent" or "tapered_deci_cent":
                tick = TickSize.DeciCent;
                return true;
            case null or "":
                // Legacy markets: tick_size in cents (1 = one cent), or nothing at all, which meant cents.
                if (m.TickSize is not { } cents) tick = TickSize.Cent;
                else if (!TickSize.TryFromDecimal(cents / 100m, out tick)) return false;
                return true;
            default:
                tick = default;
                return false;
        }
    }

    private static bool TryRanges(List<KalshiWirePriceRange>? wire, out IReadOnlyList<KalshiPriceRange> ranges)
    {
        var list = new List<KalshiPriceRange>();
        ranges = list;
        foreach (var r in wire ?? [])
        {
            if (!Price.TryParse(r.Start, out var start) || !Price.TryParse(r.End, out var end)
                || !decimal.TryParse(r.Step, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var stepValue)
                || !TickSize.TryFromDecimal(stepValue, out var step) || end < start)
            {
                return false;
            }
            list.Add(new KalshiPriceRange(start, end, step));
        }
        return true;
    }

    private static bool TryTime(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
