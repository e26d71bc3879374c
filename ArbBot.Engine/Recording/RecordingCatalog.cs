using System.Text;
using ArbBot.Engine.Core;
using ArbBot.Engine.Matching;

namespace ArbBot.Engine.Recording;

/// <summary>A recorded market with the venue symbols of its YES and NO tokens (what <see cref="InstrumentRegistry.AddMarket"/> takes).</summary>
public sealed record RecordedMarket(Market Market, string YesSymbol, string NoSymbol);

/// <summary>A pair the desk traded while recording (or that a generated recording approves), so a replay trades the same pairs.</summary>
public sealed record RecordedPair(long Id, string KalshiMarketKey, string PolymarketMarketKey, PairMapping Mapping);

/// <summary>
/// What a recording needs to replay without the venues: the events, the markets with their instruments' ids and
/// symbols, and the approved pairs. A file starts with the whole catalog; markets discovered later follow in
/// catalog blocks before the first event that uses them.
/// </summary>
public sealed class RecordingCatalog
{
    private readonly List<VenueEvent> _events = [];
    private readonly List<RecordedMarket> _markets = [];
    private readonly List<RecordedPair> _pairs = [];

    public IReadOnlyList<VenueEvent> Events => _events;

    /// <summary>Markets in the order of their YES instrument's id.</summary>
    public IReadOnlyList<RecordedMarket> Markets => _markets;

    public IReadOnlyList<RecordedPair> Pairs => _pairs;

    /// <summary>One more than the largest instrument id of any market: ids in events must lie below it.</summary>
    public int InstrumentCount { get; private set; }

    public void AddEvent(VenueEvent venueEvent) => _events.Add(venueEvent);

    public void AddPair(RecordedPair pair) => _pairs.Add(pair);

    public void AddMarket(RecordedMarket market)
    {
        _markets.Add(market);
        InstrumentCount = Math.Max(InstrumentCount, Math.Max(market.Market.Yes.Value, market.Market.No.Value) + 1);
    }

    /// <summary>The catalog of everything <paramref name="registry"/> holds from instrument <paramref name="fromInstrument"/> on.</summary>
    public static RecordingCatalog From(InstrumentRegistry registry, int fromInstrument = 0, IEnumerable<RecordedPair>? pairs = null)
    {
        var catalog = new RecordingCatalog();
        var instruments = registry.Instruments;
        var markets = registry.Markets.Where(m => m.Yes.Value >= fromInstrument).OrderBy(m => m.Yes.Value).ToList();
        var eventKeys = markets.Select(m => (m.Venue, m.EventKey)).ToHashSet();
        foreach (var venueEvent in registry.Events)
        {
            if (fromInstrument == 0 || eventKeys.Contains((venueEvent.Venue, venueEvent.EventKey))) catalog.AddEvent(venueEvent);
        }
        foreach (var market in markets)
        {
            catalog.AddMarket(new RecordedMarket(market, instruments[market.Yes.Value].Symbol, instruments[market.No.Value].Symbol));
        }
        foreach (var pair in pairs ?? []) catalog.AddPair(pair);
        return catalog;
    }

    /// <summary>
    /// Registers the markets from <paramref name="fromMarket"/> on into <paramref name="registry"/>, which must assign
    /// them the recorded ids (a fresh registry fed only from this recording does).
    /// </summary>
    /// <exception cref="RecordingFormatException">The registry assigned different ids (it already held other instruments).</exception>
    public void RegisterInto(InstrumentRegistry registry, int fromEvent = 0, int fromMarket = 0)
    {
        for (var i = fromEvent; i < _events.Count; i++) registry.AddEvent(_events[i]);
        for (var i = fromMarket; i < _markets.Count; i++)
        {
            var (market, yes, no) = _markets[i];
            // The next file of a rotated recording repeats the catalog: markets already registered with the same ids stay.
            if (registry.TryGetMarket(market.Venue, market.MarketKey, out var known) && known.Yes == market.Yes && known.No == market.No) continue;
            var registered = registry.AddMarket(market with { Yes = default, No = default }, yes, no);
            if (registered.Yes != market.Yes || registered.No != market.No)
            {
                throw new RecordingFormatException(
                    $"Market {market.Venue}:{market.MarketKey} was recorded as instruments {market.Yes}/{market.No} but registered as " +
                    $"{registered.Yes}/{registered.No}: replay into a registry that holds only this recording's instruments.");
            }
        }
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(_events.Count);
        foreach (var e in _events)
        {
            writer.Write((byte)e.Venue);
            writer.Write(e.EventKey);
            writer.Write(e.Title);
            writer.Write(e.Category);
            writer.Write((byte)((e.MutuallyExclusive ? 1 : 0) | (e.NegRisk ? 2 : 0) | (e.Augmented ? 4 : 0)));
        }
        writer.Write(_markets.Count);
        foreach (var (m, yes, no) in _markets)
        {
            writer.Write((byte)m.Venue);
            writer.Write(m.MarketKey);
            writer.Write(m.EventKey);
            writer.Write(m.Title);
            writer.Write(m.Rules);
            writer.Write(m.SettlementSource);
            writer.Write(m.CloseTime.UtcTicks);
            writer.Write(m.TickSize.Units);
            writer.Write(m.MinOrderSize);
            writer.Write(m.OutcomeLabel);
            writer.Write(m.Fees.TakerRate);
            writer.Write(m.Fees.MakerRate);
            writer.Write(m.Fees.Exponent);
            writer.Write(m.Yes.Value);
            writer.Write(m.No.Value);
            writer.Write(m.QuantityStep);
            writer.Write(yes);
            writer.Write(no);
        }
        writer.Write(_pairs.Count);
        foreach (var p in _pairs)
        {
            writer.Write(p.Id);
            writer.Write(p.KalshiMarketKey);
            writer.Write(p.PolymarketMarketKey);
            writer.Write((byte)p.Mapping);
        }
    }

    /// <summary>Reads a catalog block into this catalog (appending), validating every value.</summary>
    internal void ReadFrom(ReadOnlySpan<byte> block, string where)
    {
        using var stream = new MemoryStream(block.ToArray(), writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var events = Count(reader, stream);
            for (var i = 0; i < events; i++)
            {
                var venue = Venue(reader);
                var key = reader.ReadString();
                var title = reader.ReadString();
                var category = reader.ReadString();
                var flags = reader.ReadByte();
                AddEvent(new VenueEvent(venue, key, title, category, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0));
            }
            var markets = Count(reader, stream);
            for (var i = 0; i < markets; i++)
            {
                var venue = Venue(reader);
                var marketKey = reader.ReadString();
                var eventKey = reader.ReadString();
                var title = reader.ReadString();
                var rules = reader.ReadString();
                var source = reader.ReadString();
                var close = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
                var tick = TickSize.FromDecimal(reader.ReadInt32() / (decimal)Price.Scale);
                var minOrder = reader.ReadDecimal();
                var label = reader.ReadString();
                var fees = new FeeParameters(reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadInt32());
                var yesId = reader.ReadInt32();
                var noId = reader.ReadInt32();
                if (yesId < 0 || noId < 0) throw new RecordingFormatException($"{where}: market {marketKey} has a negative instrument id.");
                var step = reader.ReadDecimal();
                var yes = reader.ReadString();
                var no = reader.ReadString();
                AddMarket(new RecordedMarket(
                    new Market(venue, marketKey, eventKey, title, rules, source, close, tick, minOrder, label, fees, new InstrumentId(yesId), new InstrumentId(noId), step),
                    yes, no));
            }
            var pairs = Count(reader, stream);
            for (var i = 0; i < pairs; i++)
            {
                var id = reader.ReadInt64();
                var kalshi = reader.ReadString();
                var polymarket = reader.ReadString();
                var mapping = reader.ReadByte();
                if (mapping > (byte)PairMapping.YesNo) throw new RecordingFormatException($"{where}: pair {id} has an unknown mapping {mapping}.");
                AddPair(new RecordedPair(id, kalshi, polymarket, (PairMapping)mapping));
            }
            if (stream.Position != stream.Length) throw new RecordingFormatException($"{where}: the catalog block has {stream.Length - stream.Position} bytes left over.");
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or FormatException or OverflowException or IOException)
        {
            throw new RecordingFormatException($"{where}: the catalog block is damaged ({ex.Message}).", ex);
        }
    }

    private static int Count(BinaryReader reader, Stream stream)
    {
        var count = reader.ReadInt32();
        // Every entry takes at least one byte: a larger count is a damaged length, not a huge catalog.
        if (count < 0 || count > stream.Length - stream.Position) throw new FormatException($"entry count {count} does not fit the block");
        return count;
    }

    private static VenueId Venue(BinaryReader reader)
    {
        var venue = reader.ReadByte();
        return venue is (byte)VenueId.Kalshi or (byte)VenueId.Polymarket ? (VenueId)venue : throw new FormatException($"unknown venue {venue}");
    }
}
