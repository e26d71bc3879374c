using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>A Kalshi contract side.</summary>
public enum KalshiSide
{
    /// <summary>The YES contract.</summary>
    Yes,
    /// <summary>The NO contract.</summary>
    No,
}

/// <summary>Whether an order or fill bought or sold contracts.</summary>
public enum KalshiAction
{
    /// <summary>Bought contracts of its side.</summary>
    Buy,
    /// <summary>Sold contracts of its side.</summary>
    Sell,
}

/// <summary>
/// A Kalshi order book: the venue publishes only YES bids and NO bids; asks are derived, since a NO bid at p is a
/// YES ask at 1 − p. Bids are sorted best (highest) first and asks best (lowest) first, whatever order the venue sent.
/// </summary>
public sealed class KalshiBook
{
    /// <summary>Builds the book from the venue's bid levels (any order).</summary>
    public KalshiBook(IEnumerable<BookLevel> yesBids, IEnumerable<BookLevel> noBids)
    {
        YesBids = [.. yesBids.OrderByDescending(l => l.Price)];
        NoBids = [.. noBids.OrderByDescending(l => l.Price)];
        YesAsks = [.. NoBids.Select(l => l with { Price = l.Price.Complement })];
        NoAsks = [.. YesBids.Select(l => l with { Price = l.Price.Complement })];
    }

    /// <summary>YES bids, highest price first.</summary>
    public IReadOnlyList<BookLevel> YesBids { get; }

    /// <summary>NO bids, highest price first.</summary>
    public IReadOnlyList<BookLevel> NoBids { get; }

    /// <summary>YES asks (1 − NO bids), lowest price first.</summary>
    public IReadOnlyList<BookLevel> YesAsks { get; }

    /// <summary>NO asks (1 − YES bids), lowest price first.</summary>
    public IReadOnlyList<BookLevel> NoAsks { get; }
}

/// <summary>The outcome of parsing one Kalshi payload: a value, or a reason it could not be read.</summary>
public readonly record struct KalshiParseResult<T>(T? Value, string? Error) where T : class
{
    /// <summary>True when <see cref="Value"/> holds the parsed payload.</summary>
    public bool IsSuccess => Value is not null;

    internal static KalshiParseResult<T> Ok(T value) => new(value, null);
    internal static KalshiParseResult<T> Fail(string error) => new(null, error);
}

/// <summary>One message received on Kalshi's WebSocket.</summary>
public abstract record KalshiWsMessage;

/// <summary>A full order book for a market (orderbook_snapshot); replaces whatever the feed held.</summary>
public sealed record KalshiOrderbookSnapshot(long Sid, long Seq, string MarketTicker, KalshiBook Book) : KalshiWsMessage;

/// <summary>A signed change to the size of one bid level (orderbook_delta); <see cref="Side"/> says which side's bids.</summary>
public sealed record KalshiOrderbookDelta(long Sid, long Seq, string MarketTicker, KalshiSide Side, Price Price, decimal Delta, DateTimeOffset? Timestamp) : KalshiWsMessage;

/// <summary>Top-of-book and activity summary for a market (ticker). Absent fields are null.</summary>
public sealed record KalshiTicker(
    long Sid,
    string MarketTicker,
    Price? LastPrice,
    Price? YesBid,
    Price? YesAsk,
    decimal? YesBidSize,
    decimal? YesAskSize,
    decimal? Volume,
    decimal? OpenInterest,
    DateTimeOffset? Timestamp) : KalshiWsMessage;

/// <summary>A public trade (trade).</summary>
public sealed record KalshiTrade(
    long Sid,
    long? Seq,
    string TradeId,
    string MarketTicker,
    Price YesPrice,
    Price NoPrice,
    decimal Count,
    KalshiSide TakerSide,
    DateTimeOffset? Timestamp) : KalshiWsMessage;

/// <summary>One of the member's own fills (fill). <see cref="FeeCost"/> is the fee Kalshi actually charged, in dollars.</summary>
public sealed record KalshiFill(
    long Sid,
    string TradeId,
    string OrderId,
    string? ClientOrderId,
    string MarketTicker,
    bool IsTaker,
    KalshiSide Side,
    KalshiAction Action,
    Price YesPrice,
    decimal Count,
    decimal? FeeCost,
    decimal? PostPosition,
    DateTimeOffset? Timestamp) : KalshiWsMessage
{
    /// <summary>The price of the side filled: the YES price for a YES fill, 1 − YES price for a NO fill.</summary>
    public Price SidePrice => Side == KalshiSide.Yes ? YesPrice : YesPrice.Complement;
}

/// <summary>A change to one of the member's orders (user_order).</summary>
public sealed record KalshiUserOrder(
    long Sid,
    string OrderId,
    string? ClientOrderId,
    string MarketTicker,
    string Status,
    KalshiSide Side,
    Price YesPrice,
    decimal FillCount,
    decimal RemainingCount,
    decimal InitialCount,
    decimal? TakerFees,
    decimal? MakerFees,
    DateTimeOffset? CreatedTime) : KalshiWsMessage;

/// <summary>The server confirmed a subscription: <see cref="Sid"/> tags that channel's messages from now on.</summary>
public sealed record KalshiSubscribed(long? Id, string Channel, long Sid) : KalshiWsMessage;

/// <summary>The server ended a subscription.</summary>
public sealed record KalshiUnsubscribed(long? Id, long? Sid, long? Seq) : KalshiWsMessage;

/// <summary>A channel and its subscription id, as listed by list_subscriptions.</summary>
public sealed record KalshiSubscription(string Channel, long Sid);

/// <summary>
/// A command succeeded ("ok"): after update_subscription it lists <see cref="MarketTickers"/>, after
/// list_subscriptions it lists <see cref="Subscriptions"/>; the other list is empty.
/// </summary>
public sealed record KalshiOk(long? Id, long? Sid, long? Seq, IReadOnlyList<string> MarketTickers, IReadOnlyList<KalshiSubscription> Subscriptions) : KalshiWsMessage;

/// <summary>A command failed; <see cref="Code"/> is Kalshi's error code (e.g. 6 already subscribed, 9 authentication required).</summary>
public sealed record KalshiError(long? Id, int Code, string Message, string? MarketTicker) : KalshiWsMessage;

/// <summary>A well-formed message of a type this client does not model (market_lifecycle_v2, event_fee_update, …).</summary>
public sealed record KalshiOtherMessage(string Type, long? Sid, long? Seq) : KalshiWsMessage;
