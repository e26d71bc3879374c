using System.Collections.Concurrent;

namespace ArbBot.Engine.Core;

/// <summary>
/// Assigns dense <see cref="InstrumentId"/>s and holds every known instrument, market and event.
/// Registration is rare (discovery) and locked; lookups by id are lock-free array reads for the hot path.
/// </summary>
public sealed class InstrumentRegistry
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<(VenueId, string), Instrument> _bySymbol = new();
    private readonly ConcurrentDictionary<(VenueId, string), Market> _markets = new();
    private readonly ConcurrentDictionary<(VenueId, string), VenueEvent> _events = new();
    private Instrument[] _byId = new Instrument[256];
    private Market?[] _marketById = new Market?[256];
    private int _count;

    /// <summary>Raised (outside the lock) after new instruments are registered.</summary>
    public event Action<IReadOnlyList<Instrument>>? InstrumentsAdded;

    public int Count => Volatile.Read(ref _count);

    public Instrument this[InstrumentId id] => (uint)id.Value < (uint)Count ? _byId[id.Value] : throw new KeyNotFoundException($"Unknown instrument {id}.");

    /// <summary>The market an instrument belongs to (its YES or NO token).</summary>
    public Market MarketOf(InstrumentId id) => (uint)id.Value < (uint)Count && _marketById[id.Value] is { } m ? m : throw new KeyNotFoundException($"Instrument {id} has no market.");

    public bool TryGet(VenueId venue, string symbol, out Instrument instrument) => _bySymbol.TryGetValue((venue, symbol), out instrument!);

    public bool TryGetMarket(VenueId venue, string marketKey, out Market market) => _markets.TryGetValue((venue, marketKey), out market!);

    public bool TryGetEvent(VenueId venue, string eventKey, out VenueEvent venueEvent) => _events.TryGetValue((venue, eventKey), out venueEvent!);

    /// <summary>A snapshot of every registered instrument, in id order.</summary>
    public IReadOnlyList<Instrument> Instruments
    {
        get
        {
            var count = Count;
            var arr = Volatile.Read(ref _byId);
            return new ArraySegment<Instrument>(arr, 0, count).ToArray();
        }
    }

    public IReadOnlyCollection<Market> Markets => _markets.Values.ToArray();

    public IReadOnlyCollection<VenueEvent> Events => _events.Values.ToArray();

    public void AddEvent(VenueEvent venueEvent) => _events[(venueEvent.Venue, venueEvent.EventKey)] = venueEvent;

    /// <summary>
    /// Registers a binary market and its YES and NO tokens, returning the market with their ids filled in.
    /// Registering the same market again returns the existing ids.
    /// </summary>
    public Market AddMarket(Market market, string yesSymbol, string noSymbol)
    {
        List<Instrument>? added = null;
        Market result;
        lock (_gate)
        {
            if (_markets.TryGetValue((market.Venue, market.MarketKey), out var existing))
            {
                // Every field the venue reports may change between discoveries (an event re-grouped, a label
                // renamed, the tick changed); only the ids are ours and stay.
                result = market with { Yes = existing.Yes, No = existing.No };
                if (existing.TickSize != market.TickSize)
                {
                    UpdateTickSize(result.Yes, market.TickSize);
                    UpdateTickSize(result.No, market.TickSize);
                }
            }
            else
            {
                var yes = new Instrument(new InstrumentId(_count), market.Venue, yesSymbol, market.MarketKey, IsYes: true, market.TickSize);
                var no = new Instrument(new InstrumentId(_count + 1), market.Venue, noSymbol, market.MarketKey, IsYes: false, market.TickSize);
                result = market with { Yes = yes.Id, No = no.Id };
                Publish(yes, no, result);
                added = [yes, no];
            }
            _markets[(market.Venue, market.MarketKey)] = result;
            _marketById[result.Yes.Value] = result;
            _marketById[result.No.Value] = result;
        }
        if (added is not null) InstrumentsAdded?.Invoke(added);
        return result;
    }

    private void UpdateTickSize(InstrumentId id, TickSize tickSize)
    {
        var updated = _byId[id.Value] with { TickSize = tickSize };
        _byId[id.Value] = updated;
        _bySymbol[(updated.Venue, updated.Symbol)] = updated;
    }

    /// <summary>
    /// Writes a new market's two instruments into the id arrays before raising the count, so a lock-free reader that
    /// sees an id below <see cref="Count"/> always finds its instrument and its market.
    /// </summary>
    private void Publish(Instrument yes, Instrument no, Market market)
    {
        var needed = _count + 2;
        if (needed > _byId.Length)
        {
            var size = Math.Max(needed, _byId.Length * 2);
            var byId = _byId;
            var marketById = _marketById;
            Array.Resize(ref byId, size);
            Array.Resize(ref marketById, size);
            Volatile.Write(ref _byId, byId);
            Volatile.Write(ref _marketById, marketById);
        }
        _byId[yes.Id.Value] = yes;
        _byId[no.Id.Value] = no;
        _marketById[yes.Id.Value] = market;
        _marketById[no.Id.Value] = market;
        Volatile.Write(ref _count, needed);
        _bySymbol[(yes.Venue, yes.Symbol)] = yes;
        _bySymbol[(no.Venue, no.Symbol)] = no;
    }
}
