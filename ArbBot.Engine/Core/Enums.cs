namespace ArbBot.Engine.Core;

/// <summary>The prediction-market venues the desk knows.</summary>
public enum VenueId : byte
{
    Kalshi = 1,
    Polymarket = 2,
}

/// <summary>Where a venue's data comes from; independent of how orders are executed.</summary>
public enum DataSource
{
    /// <summary>The built-in market simulator: no network, no credentials.</summary>
    Simulated,
    /// <summary>The venue's real API.</summary>
    Real,
    /// <summary>A recording being replayed.</summary>
    Replay,
}

/// <summary>How orders are executed.</summary>
public enum TradingMode
{
    /// <summary>Fills are simulated against the current L2 book; no order reaches a venue.</summary>
    Paper,
    /// <summary>Real orders; only with credentials and after an admin arms it.</summary>
    Live,
}

public enum Side : byte
{
    Buy = 0,
    Sell = 1,
}

/// <summary>Which side of an order book.</summary>
public enum BookSide : byte
{
    Bid = 0,
    Ask = 1,
}

public enum TimeInForce : byte
{
    /// <summary>Good till cancelled: the unfilled rest stays on the book.</summary>
    Gtc = 0,
    /// <summary>Immediate or cancel: fill what is there now, cancel the rest.</summary>
    Ioc = 1,
    /// <summary>Fill or kill: fill all of it now or none of it.</summary>
    Fok = 2,
    /// <summary>Good till date: the unfilled rest stays on the book until the order's expiry (<c>OrderRequest.ExpiresAt</c>).</summary>
    Gtd = 3,
}

public static class VenueIdExtensions
{
    public static string DisplayName(this VenueId venue) => venue switch
    {
        VenueId.Kalshi => "Kalshi",
        VenueId.Polymarket => "Polymarket",
        _ => venue.ToString(),
    };
}
