using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using BenchmarkDotNet.Attributes;

namespace ArbBot.Benchmarks;

/// <summary>An L2 book with ten levels a side, taking the changes near the top a live feed sends.</summary>
[MemoryDiagnoser]
public class OrderBookBenchmarks
{
    private readonly OrderBook _book = new(new InstrumentId(0), TickSize.Cent);
    private readonly Price[] _prices = new Price[8];
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var bids = Enumerable.Range(1, 10).Select(i => new BookLevel(Price.FromUnits(5_000 - i * 100), 100m + i)).ToArray();
        var asks = Enumerable.Range(1, 10).Select(i => new BookLevel(Price.FromUnits(5_000 + i * 100), 100m + i)).ToArray();
        _book.ApplySnapshot(bids, asks, 1, 1);
        for (var i = 0; i < _prices.Length; i++) _prices[i] = Price.FromUnits(5_000 - (1 + i % 4) * 100);
    }

    /// <summary>A relative change (Kalshi orderbook_delta) at one of the top four bid levels; net zero over two calls.</summary>
    [Benchmark]
    public void Delta_apply()
    {
        var i = _i++;
        _book.AddToLevel(BookSide.Bid, _prices[i & 7], (i & 1) == 0 ? 5m : -5m, i, i);
    }

    /// <summary>An absolute change (Polymarket price_change) at one of the top four bid levels.</summary>
    [Benchmark]
    public void Set_level()
    {
        var i = _i++;
        _book.SetLevel(BookSide.Bid, _prices[i & 7], 100m + (i & 15), i, i);
    }

    /// <summary>A level removed and added back: the shifting case.</summary>
    [Benchmark]
    public void Remove_and_reinsert_level()
    {
        var i = _i++;
        _book.SetLevel(BookSide.Bid, _prices[i & 7], (i & 1) == 0 ? 0m : 100m, i, i);
    }
}

/// <summary>
/// The whole desk (generated catalog: 1,000 markets, 500 approved pairs, multi-outcome events, spike hunter on) taking
/// one book update: hub apply, then every strategy listening to that instrument, on the replay clock.
/// </summary>
[MemoryDiagnoser]
public class DeskBenchmarks
{
    private ReplayDesk _desk = null!;
    private RecordedBookEvent[] _events = [];
    private int _next;
    private Opportunity _opportunity = null!;
    private RiskGate _gate = null!;
    private RiskGate _staleGate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "arbbot-bdn-desk.abrec");
        SyntheticRecording.Generate(path, new SyntheticRecordingOptions { Events = 400_000 });
        var (desk, reader) = ReplayDesk.Open(path);
        var list = new List<RecordedBookEvent>();
        using (reader)
        {
            while (reader.TryRead(out var e)) list.Add(e);
        }
        _desk = desk;
        // The opening snapshots first, so later updates meet full books.
        _desk.Run(list.Take(2_000).ToArray());
        _events = list.Skip(2_000).Where(e => e.Event.Kind is BookEventKind.AddLevel or BookEventKind.SetLevel).ToArray();

        // A real opportunity for the gate: the first one the desk finds on the recording.
        var (finder, findReader) = ReplayDesk.Open(path);
        Opportunity? found = null;
        finder.Journal.OpportunityJournaled = o => found ??= o;
        using (findReader) finder.Run(findReader);
        _opportunity = found ?? throw new InvalidOperationException("The generated recording produced no opportunity.");
        // The gate's clock stands at the moment of detection, as on the hub: on the wall clock the opportunity's books
        // would be hours old and every check would measure the stale-data rejection instead of the rules.
        _gate = new RiskGate(new FixedClock(_opportunity.DetectedAt), _desk.Journal, _desk.Registry);
        _staleGate = new RiskGate(TimeProvider.System, _desk.Journal, _desk.Registry);
        File.Delete(path);
    }

    /// <summary>One level change through hub → cross-venue, multi-outcome, paper gateway listeners (the recording's deltas, in turn).</summary>
    [Benchmark]
    public void Book_update_through_strategies()
    {
        ref readonly var e = ref _events[_next];
        _next = _next + 1 == _events.Length ? 0 : _next + 1;
        _desk.Clock!.AdvanceTo(e.ReceivedUtcTicks);
        _desk.Hub.Apply(in e.Event);
    }

    /// <summary>Every rule of the risk gate on a found cross-venue opportunity, against the desk's live state.</summary>
    [Benchmark]
    public RiskDecision Risk_gate_check() => _gate.Check(_opportunity, _desk.Controls.Limits, _desk.Desk.Engine);

    /// <summary>The gate refusing an opportunity whose books are too old (builds its reason and risk event).</summary>
    [Benchmark]
    public RiskDecision Risk_gate_reject_stale() => _staleGate.Check(_opportunity, _desk.Controls.Limits, _desk.Desk.Engine);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>Encoding and decoding recorded book events.</summary>
[MemoryDiagnoser]
public class RecordingBenchmarks
{
    private const int Events = 100_000;
    private RecordingCatalog _catalog = null!;
    private RecordedBookEvent[] _events = [];
    private byte[] _recording = [];

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry();
        var market = registry.AddMarket(new Market(VenueId.Kalshi, "KXA", "KXA-E", "A?", "r", "s", DateTimeOffset.UnixEpoch, TickSize.Cent, 1m, "Yes",
            FeeParameters.None), "KXA:yes", "KXA:no");
        _catalog = RecordingCatalog.From(registry);
        var random = new Random(1);
        var t0 = new DateTimeOffset(2026, 11, 21, 14, 0, 0, TimeSpan.Zero).UtcTicks;
        _events = Enumerable.Range(0, Events).Select(i => new RecordedBookEvent(
            BookEvent.AddLevel(random.Next(2) == 0 ? market.Yes : market.No, BookSide.Bid, Price.FromUnits(random.Next(1, 99) * 100), random.Next(-200, 200), i + 1, t0 + i * 200L - 30_000),
            t0 + i * 200L)).ToArray();
        var stream = new MemoryStream();
        using (var writer = new RecordingWriter(stream, _catalog, ownsStream: false))
        {
            foreach (var e in _events) writer.Write(e);
        }
        _recording = stream.ToArray();
    }

    /// <summary>Writing 100,000 deltas, compressed (divide by 100,000 for one).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long Write_delta()
    {
        using var writer = new RecordingWriter(Stream.Null, _catalog, ownsStream: false);
        foreach (ref readonly var e in _events.AsSpan()) writer.Write(in e);
        return writer.EventCount;
    }

    /// <summary>Reading 100,000 deltas back, decompressed and validated (divide by 100,000 for one).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public long Read_delta()
    {
        using var reader = new RecordingReader(new MemoryStream(_recording, writable: false), "bench");
        long sum = 0;
        while (reader.TryRead(out var e)) sum += e.Event.Price.Units;
        return sum;
    }
}
