using ArbBot.Engine.Core;

namespace ArbBot.Engine.MarketData;

public enum BookEventKind : byte
{
    /// <summary>Replace the whole book with <see cref="BookEvent.Bids"/> and <see cref="BookEvent.Asks"/>.</summary>
    Snapshot,
    /// <summary>Set the size at a price (absolute).</summary>
    SetLevel,
    /// <summary>Add a (signed) change to the size at a price (relative).</summary>
    AddLevel,
    /// <summary>Empty the book and mark it stale with <see cref="BookEvent.Reason"/> until the next snapshot.</summary>
    Clear,
    /// <summary>Mark the book stale with <see cref="BookEvent.Reason"/>, keeping its levels for display.</summary>
    Stale,
    /// <summary>The venue confirmed the book is current without changing it.</summary>
    Heartbeat,
    /// <summary>The market's tick size changed to <see cref="BookEvent.Price"/> units.</summary>
    TickSize,
    /// <summary>Not a book change: run <see cref="BookEvent.Work"/> on the hub's thread.</summary>
    Work,
}

/// <summary>Code that must run on the market-data hub's single thread (reads books consistently, may mutate engine state).</summary>
public interface IHubWork
{
    void Execute(MarketDataHub hub);
}

/// <summary>
/// One normalized market-data event from a venue feed, as a struct so deltas travel through the hub's channel without
/// allocating. Snapshots carry their levels in arrays.
/// </summary>
public readonly struct BookEvent
{
    public BookEventKind Kind { get; init; }
    public InstrumentId Instrument { get; init; }
    public BookSide Side { get; init; }
    public Price Price { get; init; }
    /// <summary>Size for <see cref="BookEventKind.SetLevel"/>, signed change for <see cref="BookEventKind.AddLevel"/>.</summary>
    public decimal Size { get; init; }
    /// <summary>The venue's sequence number, or 0 when it has none.</summary>
    public long Sequence { get; init; }
    /// <summary>The venue's timestamp in UTC ticks, or 0 when unknown.</summary>
    public long VenueUtcTicks { get; init; }
    public StaleReason Reason { get; init; }
    public BookLevel[]? Bids { get; init; }
    public BookLevel[]? Asks { get; init; }
    public IHubWork? Work { get; init; }

    public static BookEvent Snapshot(InstrumentId instrument, BookLevel[] bids, BookLevel[] asks, long sequence = 0, long venueUtcTicks = 0) =>
        new() { Kind = BookEventKind.Snapshot, Instrument = instrument, Bids = bids, Asks = asks, Sequence = sequence, VenueUtcTicks = venueUtcTicks };

    public static BookEvent SetLevel(InstrumentId instrument, BookSide side, Price price, decimal size, long sequence = 0, long venueUtcTicks = 0) =>
        new() { Kind = BookEventKind.SetLevel, Instrument = instrument, Side = side, Price = price, Size = size, Sequence = sequence, VenueUtcTicks = venueUtcTicks };

    public static BookEvent AddLevel(InstrumentId instrument, BookSide side, Price price, decimal delta, long sequence = 0, long venueUtcTicks = 0) =>
        new() { Kind = BookEventKind.AddLevel, Instrument = instrument, Side = side, Price = price, Size = delta, Sequence = sequence, VenueUtcTicks = venueUtcTicks };

    public static BookEvent Clear(InstrumentId instrument, StaleReason reason) =>
        new() { Kind = BookEventKind.Clear, Instrument = instrument, Reason = reason };

    public static BookEvent Stale(InstrumentId instrument, StaleReason reason) =>
        new() { Kind = BookEventKind.Stale, Instrument = instrument, Reason = reason };

    public static BookEvent Heartbeat(InstrumentId instrument) =>
        new() { Kind = BookEventKind.Heartbeat, Instrument = instrument };

    public static BookEvent TickSizeChange(InstrumentId instrument, TickSize tick) =>
        new() { Kind = BookEventKind.TickSize, Instrument = instrument, Price = Price.FromUnits(tick.Units) };

    public static BookEvent Run(IHubWork work) => new() { Kind = BookEventKind.Work, Work = work };
}

/// <summary>Where venue feeds post their events: the market-data hub's input.</summary>
public interface IBookEventSink
{
    /// <summary>Posts without waiting; false when the hub's queue is full.</summary>
    bool TryPost(in BookEvent bookEvent);

    /// <summary>Posts, waiting while the hub's queue is full (back-pressure to the feed, never to the hub).</summary>
    ValueTask PostAsync(BookEvent bookEvent, CancellationToken cancellationToken);
}

/// <summary>Notified on the hub's thread after a book it watches changed. Must be quick and must not block.</summary>
public interface IBookListener
{
    void OnBookUpdated(OrderBook book);
}
