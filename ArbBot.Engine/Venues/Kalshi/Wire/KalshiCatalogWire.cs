using System.Text.Json;

namespace ArbBot.Engine.Venues.Kalshi.Wire;

// REST catalog shapes (GET /series/{ticker}, GET /events, GET /markets), snake_case. Optional throughout: fixed-point
// fields (*_dollars strings) and legacy integer-cent fields coexist across spec versions; KalshiCatalogParser decides.

/// <summary>GET /events: one page of events (markets nested when with_nested_markets=true).</summary>
internal sealed record KalshiWireEventsPage(List<KalshiWireEvent>? Events, string? Cursor);

/// <summary>GET /markets: one page of markets.</summary>
internal sealed record KalshiWireMarketsPage(List<KalshiWireMarket>? Markets, string? Cursor);

/// <summary>GET /series/{ticker}.</summary>
internal sealed record KalshiWireSeriesResponse(KalshiWireSeries? Series);

/// <summary>A series: the fee terms and settlement sources its events share.</summary>
internal sealed record KalshiWireSeries(
    string? Ticker,
    string? Title,
    string? Category,
    string? FeeType,
    JsonElement? FeeMultiplier,
    List<KalshiWireSettlementSource>? SettlementSources);

/// <summary>One settlement source of a series.</summary>
internal sealed record KalshiWireSettlementSource(string? Name, string? Url);

/// <summary>An event: a group of markets, mutually exclusive or not.</summary>
internal sealed record KalshiWireEvent(
    string? EventTicker,
    string? SeriesTicker,
    string? Title,
    string? SubTitle,
    string? Category,
    bool? MutuallyExclusive,
    List<KalshiWireMarket>? Markets);

/// <summary>A market's catalog fields.</summary>
internal sealed record KalshiWireMarket(
    string? Ticker,
    string? EventTicker,
    string? MarketType,
    string? Title,
    string? Subtitle,
    string? YesSubTitle,
    string? NoSubTitle,
    string? Status,
    string? OpenTime,
    string? CloseTime,
    string? LatestExpirationTime,
    string? ExpirationTime,
    string? RulesPrimary,
    string? RulesSecondary,
    string? PriceLevelStructure,
    List<KalshiWirePriceRange>? PriceRanges,
    bool? FractionalTradingEnabled,
    long? TickSize,
    string? ResponsePriceUnits);

/// <summary>One band of a market's price grid: prices from start to end step by step (dollar strings).</summary>
internal sealed record KalshiWirePriceRange(string? Start, string? End, string? Step);
