using System.Globalization;
using System.Text.Json;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>One Gamma market as discovery reads it, before registration. Outcome 0 is our YES, outcome 1 our NO.</summary>
public sealed record PolymarketMarketListing(
    string ConditionId,
    string Question,
    string Slug,
    string Description,
    string ResolutionSource,
    DateTimeOffset EndDate,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<string> TokenIds,
    string GroupItemTitle,
    bool NegRisk,
    bool NegRiskOther,
    bool Active,
    bool Closed,
    bool AcceptingOrders,
    bool EnableOrderBook,
    TickSize TickSize,
    decimal MinOrderSize,
    bool FeesEnabled,
    string? EventSlug)
{
    /// <summary>The token of the first outcome ("Yes", "Up", a candidate's YES): our YES instrument.</summary>
    public string YesToken => TokenIds[0];

    /// <summary>The token of the second outcome: our NO instrument.</summary>
    public string NoToken => TokenIds[1];

    /// <summary>True when the market takes orders now on a live order book.</summary>
    public bool IsTrading => Active && !Closed && AcceptingOrders && EnableOrderBook;
}

/// <summary>A Gamma event with its markets. <see cref="Augmented"/> events may still gain outcomes: never exhaustive.</summary>
public sealed record PolymarketEventListing(string Id, string Slug, string Title, string Category, bool NegRisk, bool Augmented, IReadOnlyList<PolymarketMarketListing> Markets);

/// <summary>A page of Gamma events, what could not be read (with the reason), and how many events the page held.</summary>
public sealed record PolymarketEventsPage(IReadOnlyList<PolymarketEventListing> Events, IReadOnlyList<string> Rejected, int RawCount);

/// <summary>A page of Gamma markets (GET /markets), each with the event it belongs to when Gamma says.</summary>
public sealed record PolymarketMarketsPage(IReadOnlyList<(PolymarketMarketListing Market, PolymarketEventListing? Event)> Markets, IReadOnlyList<string> Rejected, int RawCount);

/// <summary>
/// A market's trading terms from the CLOB (GET /clob-markets/{condition id}, compact keys): V2 fee rate and exponent
/// (<c>fd.r</c>, <c>fd.e</c>; absent = no fee), tick (<c>mts</c>), minimum order (<c>mos</c>), neg-risk (<c>nr</c>), accepting orders (<c>ao</c>).
/// </summary>
public sealed record PolymarketClobMarketTerms(string ConditionId, decimal FeeRate, int FeeExponent, bool TakerOnly, TickSize? TickSize, decimal? MinOrderSize, bool? NegRisk, bool? AcceptingOrders)
{
    /// <summary>The fee terms for <see cref="Market.Fees"/>: takers pay, makers never do (V2).</summary>
    public FeeParameters Fees => FeeRate == 0m ? FeeParameters.None : PolymarketFeeModel.Parameters(FeeRate, FeeExponent);
}

/// <summary>What a catalog read produced, or why it could not be read.</summary>
public sealed record PolymarketParsed<T>(T? Value, string? Error) where T : class
{
    public bool IsSuccess => Error is null;

    public static PolymarketParsed<T> Ok(T value) => new(value, null);

    public static PolymarketParsed<T> Fail(string error) => new(null, error);
}

/// <summary>
/// Reads Polymarket's catalog: Gamma events and markets (whose <c>outcomes</c>, <c>outcomePrices</c> and
/// <c>clobTokenIds</c> are JSON arrays encoded as strings, read twice; a real array is accepted too) and the CLOB's
/// compact market terms. A market that cannot be read is rejected with a reason and the rest of the page kept; a page
/// that is not JSON is a failed result. Never throws on venue input.
/// </summary>
public static class PolymarketCatalogParser
{
    /// <summary>Parses the body of Gamma GET /events (an array of events with nested markets).</summary>
    public static PolymarketParsed<PolymarketEventsPage> ParseEventsPage(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return PolymarketParsed<PolymarketEventsPage>.Fail("Gamma events page: expected a JSON array of events");
            var events = new List<PolymarketEventListing>();
            var rejected = new List<string>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (ReadEvent(e, rejected, withMarkets: true) is { } listing) events.Add(listing);
            }
            return PolymarketParsed<PolymarketEventsPage>.Ok(new PolymarketEventsPage(events, rejected, doc.RootElement.GetArrayLength()));
        }
        catch (JsonException e)
        {
            return PolymarketParsed<PolymarketEventsPage>.Fail($"Gamma events page: invalid JSON ({e.Message})");
        }
    }

    /// <summary>Parses the body of Gamma GET /markets (an array of markets, each listing its events).</summary>
    public static PolymarketParsed<PolymarketMarketsPage> ParseMarketsPage(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return PolymarketParsed<PolymarketMarketsPage>.Fail("Gamma markets page: expected a JSON array of markets");
            var markets = new List<(PolymarketMarketListing, PolymarketEventListing?)>();
            var rejected = new List<string>();
            foreach (var m in doc.RootElement.EnumerateArray())
            {
                PolymarketEventListing? parent = null;
                if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty("events", out var evs) && evs.ValueKind == JsonValueKind.Array && evs.GetArrayLength() > 0)
                {
                    parent = ReadEvent(evs[0], rejected, withMarkets: false);
                }
                if (TryReadMarket(m, parent?.Slug, out var listing, out var reason)) markets.Add((listing, parent));
                else rejected.Add(reason);
            }
            return PolymarketParsed<PolymarketMarketsPage>.Ok(new PolymarketMarketsPage(markets, rejected, doc.RootElement.GetArrayLength()));
        }
        catch (JsonException e)
        {
            return PolymarketParsed<PolymarketMarketsPage>.Fail($"Gamma markets page: invalid JSON ({e.Message})");
        }
    }

    /// <summary>Parses the body of CLOB GET /clob-markets/{condition id}.</summary>
    public static PolymarketParsed<PolymarketClobMarketTerms> ParseClobMarket(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return PolymarketParsed<PolymarketClobMarketTerms>.Fail("CLOB market: expected a JSON object");
            var condition = String(root, "c");
            if (string.IsNullOrEmpty(condition)) return PolymarketParsed<PolymarketClobMarketTerms>.Fail("CLOB market: 'c' (condition id) is missing");
            decimal rate = 0m;
            var exponent = 1;
            var takerOnly = true;
            if (root.TryGetProperty("fd", out var fd) && fd.ValueKind == JsonValueKind.Object)
            {
                if (Decimal(fd, "r") is not { } r || r < 0m || r > 1m) return PolymarketParsed<PolymarketClobMarketTerms>.Fail($"CLOB market {condition}: 'fd.r' is not a fee rate in [0, 1]");
                if (Decimal(fd, "e") is not { } e || e < 0m || e > 10m || e != decimal.Truncate(e)) return PolymarketParsed<PolymarketClobMarketTerms>.Fail($"CLOB market {condition}: 'fd.e' is not a whole exponent in [0, 10]");
                rate = r;
                exponent = (int)e;
                takerOnly = Bool(fd, "to") ?? true;
            }
            TickSize? tick = null;
            if (Decimal(root, "mts") is { } mts)
            {
                if (!TickSize.TryFromDecimal(mts, out var t)) return PolymarketParsed<PolymarketClobMarketTerms>.Fail($"CLOB market {condition}: 'mts' {mts} is not a tick size");
                tick = t;
            }
            return PolymarketParsed<PolymarketClobMarketTerms>.Ok(new PolymarketClobMarketTerms(condition, rate, exponent, takerOnly, tick, Decimal(root, "mos"), Bool(root, "nr"), Bool(root, "ao")));
        }
        catch (JsonException e)
        {
            return PolymarketParsed<PolymarketClobMarketTerms>.Fail($"CLOB market: invalid JSON ({e.Message})");
        }
    }

    private static PolymarketEventListing? ReadEvent(JsonElement e, List<string> rejected, bool withMarkets)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            rejected.Add("an event that is not a JSON object");
            return null;
        }
        var id = String(e, "id") ?? "";
        var slug = String(e, "slug");
        if (string.IsNullOrEmpty(slug))
        {
            rejected.Add($"event {id}: 'slug' is missing");
            return null;
        }
        var markets = new List<PolymarketMarketListing>();
        if (withMarkets && e.TryGetProperty("markets", out var ms) && ms.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in ms.EnumerateArray())
            {
                if (TryReadMarket(m, slug, out var listing, out var reason)) markets.Add(listing);
                else rejected.Add(reason);
            }
        }
        var category = String(e, "category");
        if (string.IsNullOrEmpty(category) && e.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
        {
            // Gamma's first tag that is not hidden is the closest it has to a category.
            category = tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.Object && Bool(t, "forceHide") != true)
                .Select(t => String(t, "label")).FirstOrDefault(l => !string.IsNullOrEmpty(l));
        }
        var negRisk = Bool(e, "negRisk") ?? Bool(e, "enableNegRisk") ?? false;
        return new PolymarketEventListing(id, slug, String(e, "title") ?? slug, category ?? "", negRisk, Bool(e, "negRiskAugmented") ?? false, markets);
    }

    private static bool TryReadMarket(JsonElement m, string? eventSlug, out PolymarketMarketListing listing, out string reason)
    {
        listing = null!;
        if (m.ValueKind != JsonValueKind.Object)
        {
            reason = "a market that is not a JSON object";
            return false;
        }
        var condition = String(m, "conditionId");
        var name = String(m, "slug") ?? String(m, "id") ?? "?";
        if (string.IsNullOrEmpty(condition))
        {
            reason = $"market {name}: 'conditionId' is missing";
            return false;
        }
        if (!TryStringArray(m, "clobTokenIds", out var tokens) || tokens.Count != 2 || tokens.Any(string.IsNullOrEmpty))
        {
            reason = $"market {name}: 'clobTokenIds' is not a JSON list of two token ids";
            return false;
        }
        if (!TryStringArray(m, "outcomes", out var outcomes) || outcomes.Count != 2)
        {
            reason = $"market {name}: 'outcomes' is not a JSON list of two outcomes";
            return false;
        }
        if (!DateTimeOffset.TryParse(String(m, "endDate"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var end))
        {
            reason = $"market {name}: 'endDate' is missing or not an ISO time";
            return false;
        }
        var tickValue = Decimal(m, "orderPriceMinTickSize") ?? 0.01m;
        if (!TickSize.TryFromDecimal(tickValue, out var tick))
        {
            reason = $"market {name}: 'orderPriceMinTickSize' {tickValue} is not a tick size";
            return false;
        }
        var minSize = Decimal(m, "orderMinSize") ?? 5m;
        if (minSize < 0m)
        {
            reason = $"market {name}: 'orderMinSize' {minSize} is negative";
            return false;
        }
        listing = new PolymarketMarketListing(
            condition,
            String(m, "question") ?? name,
            String(m, "slug") ?? "",
            String(m, "description") ?? "",
            String(m, "resolutionSource") ?? "",
            end,
            outcomes,
            tokens,
            String(m, "groupItemTitle") ?? "",
            Bool(m, "negRisk") ?? false,
            Bool(m, "negRiskOther") ?? false,
            Bool(m, "active") ?? false,
            Bool(m, "closed") ?? false,
            Bool(m, "acceptingOrders") ?? false,
            Bool(m, "enableOrderBook") ?? false,
            tick,
            minSize,
            Bool(m, "feesEnabled") ?? false,
            eventSlug);
        reason = "";
        return true;
    }

    // Gamma encodes these lists as JSON text inside a string ("[\"Yes\", \"No\"]"); read the string, then its JSON.
    private static bool TryStringArray(JsonElement m, string name, out IReadOnlyList<string> values)
    {
        values = [];
        if (!m.TryGetProperty(name, out var p)) return false;
        try
        {
            if (p.ValueKind == JsonValueKind.String)
            {
                using var inner = JsonDocument.Parse(p.GetString()!);
                return TryStrings(inner.RootElement, out values);
            }
            return TryStrings(p, out values);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryStrings(JsonElement array, out IReadOnlyList<string> values)
    {
        values = [];
        if (array.ValueKind != JsonValueKind.Array) return false;
        var list = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) return false;
            list.Add(item.GetString()!);
        }
        values = list;
        return true;
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) ? p.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(p.GetString(), out var b) => b,
            _ => null,
        } : null;

    // Gamma mixes numbers (0.01) and numeric strings ("0.01") for the same kind of field.
    private static decimal? Decimal(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var p)) return null;
        return p.ValueKind switch
        {
            JsonValueKind.Number when p.TryGetDecimal(out var d) => d,
            JsonValueKind.String when decimal.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
