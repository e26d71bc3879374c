using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Venues;

/// <summary>A prediction-market venue as the engine sees it, whatever its data source.</summary>
public interface IVenue
{
    VenueId Id { get; }

    DataSource Source { get; }

    /// <summary>For people: "Kalshi", "Polymarket (simulated)".</summary>
    string DisplayName { get; }

    IFeeModel FeeModel { get; }

    IInstrumentProvider Instruments { get; }

    IMarketDataFeed MarketData { get; }
}

/// <summary>Finds a venue's events and markets and registers their instruments.</summary>
public interface IInstrumentProvider
{
    /// <summary>Discovers the venue's markets, registers them (and their events) in <paramref name="registry"/>, and returns them.</summary>
    Task<IReadOnlyList<Market>> DiscoverAsync(InstrumentRegistry registry, CancellationToken cancellationToken);
}

public enum FeedState
{
    Stopped,
    Connecting,
    Live,
    /// <summary>Connected but not trustworthy (gaps, freezes, errors); books are marked stale.</summary>
    Degraded,
    Disconnected,
}

/// <summary>A venue's live stream of normalized book events.</summary>
public interface IMarketDataFeed
{
    FeedState State { get; }

    /// <summary>When the feed last heard from the venue (any message), as UTC ticks; 0 before the first.</summary>
    long LastMessageUtcTicks { get; }

    /// <summary>Streams book events for every discovered instrument into <paramref name="sink"/> until cancelled, reconnecting as needed.</summary>
    Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken);
}

/// <summary>Which side of a trade provided liquidity.</summary>
public enum Liquidity : byte
{
    Taker,
    Maker,
}

/// <summary>A venue's fee rule, including its rounding.</summary>
public interface IFeeModel
{
    /// <summary>The fee in dollars for <paramref name="contracts"/> filled at <paramref name="price"/>.</summary>
    decimal Fee(in FeeParameters parameters, Price price, decimal contracts, Liquidity liquidity);
}
