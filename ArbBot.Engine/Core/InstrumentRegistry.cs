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
                result = existing with
                {
                    Title = market.Title,
                    Rules = market.Rules,
                    SettlementSource = market.SettlementSource,
                    CloseTime = market.CloseTime,
                    TickSize = market.TickSize,
                    MinOrderSize = market.MinOrderSize,
                    Fees = market.Fees,
                };
            }
            else
            {
                var yes = Register(new Instrument(default, market.Venue, yesSymbol, market.MarketKey, IsYes: true, market.TickSize));
                var no = Register(new Instrument(default, market.Venue, noSymbol, market.MarketKey, IsYes: false, market.TickSize));
                added = [yes, no];
                result = market with { Yes = yes.Id, No = no.Id };
            }
            _markets[(market.Venue, market.MarketKey)] = result;
            _marketById[result.Yes.Value] = result;
            _marketById[result.No.Value] = result;
        }
        if (added is not null) InstrumentsAdded?.Invoke(added);
        return result;
    }

    private Instrument Register(Instrument template)
    {
        var id = new InstrumentId(_count);
        if (_count == _byId.Length)
        {
            Array.Resize(ref _byId, _byId.Length * 2);
            Array.Resize(ref _marketById, _marketById.Length * 2);
        }
        var instrument = template with { Id = id };
        _byId[id.Value] = instrument;
        _bySymbol[(instrument.Venue, instrument.Symbol)] = instrument;
        Volatile.Write(ref _count, _count + 1);
        return instrument;
    }
}
