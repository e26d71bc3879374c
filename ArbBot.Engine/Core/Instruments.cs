namespace ArbBot.Engine.Core;

/// <summary>
/// A dense handle for an instrument (one tradable outcome token), assigned by <see cref="InstrumentRegistry"/>.
/// Books, subscriptions and strategy state index arrays by it on the hot path.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(InstrumentIdJsonConverter))]
public readonly record struct InstrumentId(int Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A venue's event: a question family that groups markets (e.g. "Fed decision in December").</summary>
public sealed record VenueEvent(
    VenueId Venue,
    string EventKey,
    string Title,
    string Category,
    /// <summary>True when exactly one of the event's markets resolves YES (mutually exclusive and exhaustive).</summary>
    bool MutuallyExclusive,
    /// <summary>Polymarket negative-risk event.</summary>
    bool NegRisk,
    /// <summary>Polymarket augmented negative-risk event (outcomes may still be added): never treat as exhaustive.</summary>
    bool Augmented);

/// <summary>A binary market on a venue: one question that resolves YES or NO.</summary>
public sealed record Market(
    VenueId Venue,
    /// <summary>The venue's key: Kalshi market ticker, Polymarket condition id.</summary>
    string MarketKey,
    string EventKey,
    string Title,
    /// <summary>How the venue says it resolves, in its own words.</summary>
    string Rules,
    string SettlementSource,
    DateTimeOffset CloseTime,
    TickSize TickSize,
    /// <summary>Smallest order the venue accepts, in contracts.</summary>
    decimal MinOrderSize,
    /// <summary>The outcome label this market stands for inside a multi-outcome event ("Yes" for plain binaries).</summary>
    string OutcomeLabel,
    FeeParameters Fees,
    InstrumentId Yes = default,
    InstrumentId No = default,
    /// <summary>The smallest quantity increment: Kalshi 1 contract (0.01 with fractional trading), Polymarket 0.01 shares.</summary>
    decimal QuantityStep = 1m)
{
    /// <summary>The largest quantity at most <paramref name="quantity"/> that the venue accepts as an increment (it may still be below <see cref="MinOrderSize"/>).</summary>
    public decimal RoundDownToStep(decimal quantity) =>
        quantity <= 0m ? 0m : decimal.Floor(quantity / QuantityStep) * QuantityStep;

    /// <summary>True when an order of <paramref name="quantity"/> is on the venue's increment and at or above its minimum.</summary>
    public bool IsTradableQuantity(decimal quantity) =>
        quantity >= MinOrderSize && quantity > 0m && RoundDownToStep(quantity) == quantity;
}

/// <summary>
/// A market's fee terms: fee = contracts × rate × (p(1−p))^exponent, rounded per the venue's rule.
/// Kalshi: rate 0.07 taker (× the series' fee multiplier), 0.0175 maker where the series charges makers, exponent 1.
/// Polymarket V2: the market's taker fee rate and exponent; makers pay nothing.
/// </summary>
public readonly record struct FeeParameters(decimal TakerRate, decimal MakerRate, int Exponent)
{
    public static FeeParameters None => new(0m, 0m, 1);
}

/// <summary>One tradable outcome token: YES or NO of a market.</summary>
public sealed record Instrument(
    InstrumentId Id,
    VenueId Venue,
    /// <summary>The venue's own identifier for this token (Kalshi "TICKER:yes", Polymarket token id).</summary>
    string Symbol,
    string MarketKey,
    /// <summary>True for the YES token, false for NO.</summary>
    bool IsYes,
    TickSize TickSize)
{
    public override string ToString() => $"{Venue.DisplayName()}:{Symbol}";
}
